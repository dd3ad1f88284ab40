package dev.minimalimage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus.PlatformStatus;
import dev.minimalimage.api.v1alpha1.SmokeTestSpec;
import dev.minimalimage.api.v1alpha1.TargetPlatform;
import dev.minimalimage.operator.Resources;
import dev.minimalimage.testsupport.MinimalImages;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.PushedImages;
import dev.minimalimage.testsupport.RegistryApi;
import dev.minimalimage.testsupport.Skopeo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * spec.platforms on the real cluster (issue 20): a Go and a C program built for linux/amd64 and linux/arm64 in the
 * tier's toolchain image (Go cross-compiles itself; C with Debian's aarch64-linux-gnu-gcc and its static glibc).
 * The index is read with skopeo, each platform's image is pulled by its digest, the amd64 one runs from an empty root
 * here, the arm64 one under qemu-aarch64-static, and each platform's SBOM is found from its digest alone. The node has
 * no binfmt_misc registration and no arm64 node exists: the tier's operator has the emulator image
 * (scripts/emulator-image.sh, smokeTest.emulatorImage), so in the cluster the arm64 image is smoke tested under qemu
 * copied into its pod, and a failure there fails the image.
 */
@EnabledIfEnvironmentVariable(named = ClusterEnv.ENABLE, matches = "1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformsClusterIT {

    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    static final List<String> NAMES = List.of("multi-go", "multi-go-strict", "multi-c", "multi-mismatch");
    static final String GO_HELLO = "package main\nimport (\"fmt\"; \"runtime\")\n"
            + "func main() { fmt.Println(\"hello from go on\", runtime.GOARCH) }\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    ClusterEnv env;
    KubernetesClient client;
    MinimalImages images;
    RegistryApi registry;
    Path work;

    @BeforeAll
    void setUp() throws Exception {
        Processes.requireOnPath("qemu-aarch64-static", "skopeo");
        env = ClusterEnv.fromEnvironment();
        client = new KubernetesClientBuilder().build();
        images = new MinimalImages(client, env.namespace(), BUILD_TIMEOUT, Duration.ofSeconds(1));
        registry = new RegistryApi(env.registry(), null, null);
        work = Files.createTempDirectory("platforms-cluster-it");
        removeEarlierRuns();
        images.create(twoPlatforms("multi-go", Language.Name.GO, Map.of("main.go", GO_HELLO),
                "hello from go on (amd64|arm64)"));
        // the same program, but a smoke test only the amd64 image can pass: the emulated arm64 run must fail it
        images.create(twoPlatforms("multi-go-strict", Language.Name.GO, Map.of("main.go", GO_HELLO),
                "hello from go on amd64"));
        MinimalImage c = twoPlatforms("multi-c", Language.Name.C, Map.of("main.c", "#include <stdio.h>\n"
                + "int main(void) { puts(\"hello from c, \" __VERSION__); return 0; }\n"), null);
        c.getSpec().getLanguage().setLibc(Language.Libc.GLIBC);
        images.create(c);
        MinimalImage ignoresTarget = twoPlatforms("multi-mismatch", Language.Name.CUSTOM, Map.of("main.go",
                "package main\nfunc main() {}\n"), null);
        Language.Custom custom = new Language.Custom();
        custom.setImage(env.toolchainImage());
        custom.setScript("CGO_ENABLED=0 GOCACHE=$WORK/cache go build -o \"$OUT\" ./main.go"); // ignores TARGETARCH
        ignoresTarget.getSpec().getLanguage().setCustom(custom);
        images.create(ignoresTarget);
    }

    /** A filtered re-run on a kept cluster finds the resources of the last run: each test must see a build of its own. */
    void removeEarlierRuns() {
        NAMES.forEach(name -> client.resources(MinimalImage.class).inNamespace(env.namespace()).withName(name)
                .delete());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> NAMES.stream().allMatch(name -> images.get(name) == null));
    }

    @Test
    void aGoProgramForTwoPlatformsIsOneIndexEachImageRunsAndEachHasItsSbom() throws Exception {
        MinimalImageStatus status = images.awaitReady("multi-go", () -> env.describe("multi-go"));

        List<PlatformStatus> platforms = assertIndexOfTwo("e2e/multi-go", status);
        assertThat(platforms.get(0).getMachine()).isEqualTo("x86-64");
        assertThat(platforms.get(1).getMachine()).isEqualTo("AArch64");
        assertThat(platforms).extracting(PlatformStatus::getLibc).containsExactly("none", "none");
        assertThat(platforms).extracting(PlatformStatus::getSmokeTest).containsExactly("Passed", "Passed");
        assertThat(platforms.get(1).getSmokeTestMessage()).as("no arm64 node: under the operator's emulator")
                .contains("under qemu-aarch64 user-mode emulation on a linux/amd64 node");
        assertThat(status.getSmokeTest().getOutput()).isEqualTo("hello from go on amd64");
        String arm64Pod = platforms.get(1).getSmokeTestPod();
        assertThat(arm64Pod).isNotEqualTo(platforms.get(0).getSmokeTestPod()).isNotNull();
        assertThat(client.pods().inNamespace(env.namespace()).withName(arm64Pod).inContainer("smoke").getLog())
                .as("the arm64 binary itself ran, under qemu in the pod").isEqualTo("hello from go on arm64\n");
        assertThat(client.pods().inNamespace(env.namespace()).withName(arm64Pod).get().getSpec().getNodeSelector())
                .containsEntry("kubernetes.io/arch", "amd64");
        assertRuns("e2e/multi-go", platforms.get(0), "hello from go on amd64\n");
        assertRuns("e2e/multi-go", platforms.get(1), "hello from go on arm64\n");
    }

    @Test
    void aForeignPlatformsFailedSmokeTestFailsTheImageNamingThePlatformAndItsOutput() {
        MinimalImageStatus status = images.awaitFinished("multi-go-strict");

        assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                .satisfies(ready -> {
                    assertThat(ready.getStatus()).isEqualTo("False");
                    assertThat(ready.getReason()).isEqualTo("SmokeTestFailed");
                    assertThat(ready.getMessage()).contains("linux/arm64 under qemu-aarch64", "hello from go on arm64");
                });
        assertThat(status.getPlatforms()).extracting(PlatformStatus::getSmokeTest).containsExactly("Passed", "Failed");
        assertThat(status.getDigest()).as("the index was pushed: it is in the registry whatever the test says")
                .isNotNull();
    }

    @Test
    void aCProgramForArm64IsCrossCompiledWithStaticGlibcAndRunsUnderQemu() throws Exception {
        MinimalImageStatus status = images.awaitReady("multi-c", () -> env.describe("multi-c"));

        List<PlatformStatus> platforms = assertIndexOfTwo("e2e/multi-c", status);
        assertThat(platforms).extracting(PlatformStatus::getLibc).containsExactly("glibc", "glibc");
        assertThat(platforms).extracting(PlatformStatus::getVerdict).containsExactly("Static", "Static");
        assertThat(platforms.get(1).getMachine()).isEqualTo("AArch64");
        String arm64 = runUnderQemu("e2e/multi-c", platforms.get(1));
        assertThat(arm64).startsWith("hello from c, ");
        JsonNode sbom = JSON.readTree(registry.blob("e2e/multi-c", platforms.get(1).getSbom().getDigest()));
        assertThat(sbom.path("components").toString()).as("the arm64 image's C library, versioned by the toolchain"
                + " image's dpkg database: Debian's cross package, not the amd64 libc6-dev")
                .contains("glibc").contains("pkg:deb/debian/libc6-dev-arm64-cross@");
    }

    @Test
    void aScriptThatIgnoresTheTargetIsAPlatformMismatchNamingBothAndNothingIsPushed() {
        MinimalImageStatus status = images.awaitFinished("multi-mismatch");

        assertThat(status.getPhase()).isEqualTo(MinimalImageStatus.Phase.Failed);
        var ready = status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
        assertThat(ready.getReason()).isEqualTo("PlatformMismatch");
        assertThat(ready.getMessage()).contains("linux/arm64").contains("x86-64").contains("AArch64");
        assertThat(registry.manifest("e2e/multi-mismatch", "1", INDEX)).as("no index without every platform")
                .isEmpty();
    }

    /** The index as skopeo reads it: both platforms in the spec's order, their digests the status's. */
    List<PlatformStatus> assertIndexOfTwo(String repository, MinimalImageStatus status) throws Exception {
        byte[] pushed = registry.manifest(repository, "1", INDEX).orElseThrow(() -> new AssertionError("no index"));
        assertThat(PushedImages.sha256(pushed)).isEqualTo(status.getDigest());
        JsonNode index = JSON.readTree(Skopeo.inspectRaw(env.registry() + "/" + repository + ":1"));
        assertThat(index.path("mediaType").asText()).isEqualTo(INDEX);
        List<PlatformStatus> platforms = status.getPlatforms();
        assertThat(platforms).extracting(PlatformStatus::getPlatform).containsExactly("linux/amd64", "linux/arm64");
        List<String> listed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode entry = index.path("manifests").get(i);
            listed.add(entry.path("platform").path("os").asText() + "/"
                    + entry.path("platform").path("architecture").asText());
            assertThat(entry.path("digest").asText()).isEqualTo(platforms.get(i).getDigest());
            JsonNode referrers = JSON.readTree(registry.manifest(repository, platforms.get(i).getDigest()
                    .replace(':', '-'), INDEX).orElseThrow(() -> new AssertionError("no SBOM referrer")));
            List<String> documents = new ArrayList<>(); // an earlier run's SBOM of the same image stays listed too
            for (JsonNode listedReferrer : referrers.path("manifests")) {
                JsonNode referrer = JSON.readTree(registry.manifest(repository, listedReferrer.path("digest").asText(),
                        listedReferrer.path("mediaType").asText()).orElseThrow());
                assertThat(referrer.path("subject").path("digest").asText()).isEqualTo(platforms.get(i).getDigest());
                documents.add(referrer.path("layers").get(0).path("digest").asText());
            }
            assertThat(documents).as("the SBOM found from the platform image's digest alone")
                    .contains(platforms.get(i).getSbom().getDigest());
        }
        assertThat(listed).containsExactly("linux/amd64", "linux/arm64");
        assertThat(status.getImageRef()).isEqualTo(env.registry() + "/" + repository + "@" + status.getDigest());
        return platforms;
    }

    /** The platform's image pulled by its digest, its /app/app run here: natively, or under qemu for arm64. */
    void assertRuns(String repository, PlatformStatus platform, String expected) throws Exception {
        if (platform.getPlatform().equals("linux/arm64")) {
            assertThat(runUnderQemu(repository, platform) + "\n").isEqualTo(expected);
            return;
        }
        Path rootfs = Skopeo.pullRootfs(env.registry() + "/" + repository + "@" + platform.getDigest(),
                work.resolve(repository.replace('/', '-') + "-amd64"));
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/app/app");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        assertThat(ran.stdout()).isEqualTo(expected);
    }

    /** The arm64 image's binary, from an empty root, through qemu-aarch64-static copied into that root. */
    String runUnderQemu(String repository, PlatformStatus platform) throws Exception {
        Path rootfs = Skopeo.pullRootfs(env.registry() + "/" + repository + "@" + platform.getDigest(),
                work.resolve(repository.replace('/', '-') + "-arm64"), "--override-arch", "arm64");
        Path qemu = Path.of(Processes.run(Duration.ofSeconds(10), List.of("sh", "-c",
                "command -v qemu-aarch64-static")).requireSuccess("command -v").stdout().strip());
        Files.copy(qemu, rootfs.resolve("qemu-aarch64-static"));
        Processes.Result file = Processes.run(Duration.ofSeconds(10), List.of("file", "-b",
                rootfs.resolve("app/app").toString()));
        assertThat(file.stdout()).contains("ARM aarch64").contains("statically linked");
        Processes.Result ran = Skopeo.runInRoot(rootfs, "65532", "/qemu-aarch64-static", "/app/app");
        assertThat(ran.exitCode()).as(ran.stderr()).isZero();
        return ran.stdout().strip();
    }

    MinimalImage twoPlatforms(String name, Language.Name language, Map<String, String> files, String smokeOutput) {
        MinimalImage resource = Resources.inline(name, language, env.registry() + "/e2e/" + name + ":1", files);
        resource.getSpec().setPlatforms(List.of(TargetPlatform.LINUX_AMD64, TargetPlatform.LINUX_ARM64));
        if (smokeOutput != null) {
            SmokeTestSpec test = new SmokeTestSpec();
            test.setOutputPattern("^" + smokeOutput + "$");
            test.setTimeout("30s");
            resource.getSpec().getVerify().setSmokeTest(test);
        }
        return resource;
    }
}
