package dev.minimalimage.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;
import dev.minimalimage.testsupport.Compilers;
import dev.minimalimage.testsupport.LocalRegistry;
import dev.minimalimage.testsupport.OciLayouts;
import dev.minimalimage.testsupport.Processes;
import dev.minimalimage.testsupport.Skopeo;

/**
 * `build --dockerfile` against real parts: binaries from real compilers, base images pushed to a real registry on
 * 127.0.0.1 and pulled back by the build, RUN in the real sandbox, the image read back with skopeo and run.
 */
class DockerfileBuildTest {

    static final String HELLO_C = "#include <stdio.h>\nint main(void){puts(\"hello from a Dockerfile\");return 0;}\n";

    @TempDir
    static Path work;
    static LocalRegistry registry;
    static Path staticHello;
    static Path dynamicHello;
    /** A busybox image in the registry: what the RUN tests start FROM. */
    static String busyboxImage;

    @BeforeAll
    static void startRegistryAndBuildBases() throws IOException {
        Processes.requireOnPath("musl-gcc", "gcc", "skopeo", "unshare", "setpriv", "docker-registry");
        registry = LocalRegistry.start(work.resolve("registry"));
        staticHello = Compilers.muslGcc(work, "hello", HELLO_C, "-static", "-Os");
        dynamicHello = Compilers.gcc(work, "hello-dyn", HELLO_C);
        busyboxImage = registry.host() + "/busybox:1";
        Path context = Files.createDirectories(work.resolve("busybox-context/rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
        for (String applet : List.of("sh", "echo", "id", "cat", "mkdir", "ls", "wget", "cp", "chmod", "true")) {
            Files.createSymbolicLink(context.resolve(applet), Path.of("busybox"));
        }
        Path dockerfile = Files.writeString(work.resolve("busybox-context/Dockerfile"),
                "FROM scratch\nCOPY rootfs/ /\nUSER 0\nENTRYPOINT [\"/bin/busybox\"]\n");
        CliRun push = CliRun.of("build", "--dockerfile", dockerfile.toString(), "--source",
                dockerfile.getParent().toString(), "--image", busyboxImage, "--insecure");
        assertThat(push.exitCode()).as(push.all()).isZero();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    static Path context(String name, String dockerfile) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        return dir;
    }

    static CliRun build(Path context, String... extra) {
        List<String> args = new ArrayList<>(List.of("build", "--dockerfile", context.resolve("Dockerfile").toString(),
                "--source", context.toString(), "--insecure"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void prebuiltStaticBinaryAndConfigIntoScratchWithTheConfigDockerWouldWrite() throws Exception {
        Path context = context("prebuilt", """
                FROM scratch
                ENV MODE=production
                WORKDIR /srv
                COPY hello /srv/bin/hello
                COPY --chmod=640 config/ /srv/etc/
                EXPOSE 8080 53/udp
                LABEL org.opencontainers.image.title=hello
                STOPSIGNAL SIGINT
                USER 1000:1000
                ENTRYPOINT ["bin/hello"]
                CMD ["--greet"]
                """);
        Files.copy(staticHello, context.resolve("hello"));
        Files.createDirectories(context.resolve("config"));
        Files.writeString(context.resolve("config/app.toml"), "greeting = true\n");
        Files.writeString(context.resolve("config/secret.key"), "not for the image\n");
        Files.writeString(context.resolve(".dockerignore"), "config/*.key\n");
        Path layout = work.resolve("prebuilt-layout");
        CliRun run = build(context, "--oci-layout", layout.toString(), "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isZero();
        BuildResult result = run.result();
        assertThat(result.files()).extracting(BuildResult.FileVerdict::path, BuildResult.FileVerdict::verdict)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/srv/bin/hello", "Static"),
                        org.assertj.core.groups.Tuple.tuple("/srv/etc/app.toml", "NotElf"));
        assertThat(result.smokeTest().passed()).isTrue();
        assertThat(result.smokeTest().output()).contains("hello from a Dockerfile");
        JsonNode sbom = OciLayoutSbomTest.sbomOf(layout, run); // every file of the final stage, the binary read
        assertThat(sbom.path("components").findValuesAsText("name")).contains("/srv/bin/hello", "/srv/etc/app.toml")
                .doesNotContain("/srv/etc/secret.key");
        assertThat(sbom.toString()).contains("musl");
        assertThat(result.sbom().components()).isEqualTo(sbom.path("components").size());
        JsonNode config = OciLayouts.config(layout).path("config");
        assertThat(config.path("Entrypoint").toString()).isEqualTo("[\"bin/hello\"]");
        assertThat(config.path("Cmd").toString()).isEqualTo("[\"--greet\"]");
        assertThat(config.path("Env").toString()).isEqualTo("[\"MODE=production\"]");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/srv");
        assertThat(config.path("User").asText()).isEqualTo("1000:1000");
        assertThat(config.path("StopSignal").asText()).isEqualTo("SIGINT");
        assertThat(config.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.path("ExposedPorts").has("53/udp")).isTrue();
        assertThat(config.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("hello");
        Path rootfs = Skopeo.unpack(layout, work.resolve("prebuilt-rootfs"));
        assertThat(Files.getAttribute(rootfs.resolve("srv/etc/app.toml"), "unix:mode")).isEqualTo(0100640);
        assertThat(rootfs.resolve("srv/etc/secret.key")).doesNotExist();

        CliRun again = build(context, "--oci-layout", work.resolve("prebuilt-again").toString());
        assertThat(again.result().digest()).as("same inputs, same digest").isEqualTo(result.digest());
    }

    @Test
    void runStagesBuildInTheSandboxFromAPulledImage() throws Exception {
        Path context = context("run-stages", """
                ARG BASE
                FROM ${BASE} AS build
                ARG WHO=nobody
                ENV GREETING=hello
                WORKDIR /out
                RUN echo "$GREETING $WHO" > greeting.txt && id -u > uid-root
                RUN ["/bin/sh", "-c", "wget -q -T 2 -O /dev/null http://%s/v2/ && echo network > net || echo none > net"]
                RUN mkdir /out/home && chmod 777 /out/home
                USER 1000
                RUN id -u > /out/home/uid-user
                FROM scratch
                COPY --from=build /out/greeting.txt /out/uid-root /out/net /data/
                COPY --from=build /out/home/uid-user /data/
                COPY hello /hello
                ENTRYPOINT ["/hello"]
                """.formatted(registry.host()));
        Files.copy(staticHello, context.resolve("hello"));
        Path layout = work.resolve("run-layout");
        CliRun run = build(context, "--build-arg", "BASE=" + busyboxImage, "--build-arg", "WHO=world",
                "--oci-layout", layout.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.stderr()).contains("[build] RUN echo");
        Path rootfs = Skopeo.unpack(layout, work.resolve("run-rootfs"));
        assertThat(Files.readString(rootfs.resolve("data/greeting.txt"))).isEqualTo("hello world\n");
        assertThat(Files.readString(rootfs.resolve("data/uid-root"))).as("RUN is root in its namespace")
                .isEqualTo("0\n");
        assertThat(Files.readString(rootfs.resolve("data/uid-user"))).as("USER applies to RUN").isEqualTo("1000\n");
        assertThat(Files.readString(rootfs.resolve("data/net"))).as("RUN has no network").isEqualTo("none\n");
        try (Stream<Path> files = Files.walk(rootfs)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> rootfs.relativize(p).toString()))
                    .containsExactlyInAnyOrder("hello", "data/greeting.txt", "data/uid-root", "data/net",
                            "data/uid-user");
        }
    }

    @Test
    void copyFromAnImageAndATargetStage() throws Exception {
        Path context = context("from-image", """
                FROM scratch AS tools
                COPY --from=%s /bin/busybox /bin/busybox
                ENTRYPOINT ["/bin/busybox", "echo", "from the tools stage"]
                FROM scratch
                COPY nothing-here /x
                """.formatted(busyboxImage));
        CliRun run = build(context, "--target", "tools", "--oci-layout", work.resolve("from-image-layout").toString(),
                "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.result().smokeTest().output()).contains("from the tools stage");
        assertThat(run.result().files()).extracting(BuildResult.FileVerdict::path).containsExactly("/bin/busybox");
        CliRun last = build(context, "--oci-layout", work.resolve("from-image-last").toString());
        assertThat(last.result().reason()).isEqualTo("BuildStepFailed");
        assertThat(last.result().message()).contains("line 5", "nothing-here", "not in the build context");
    }

    @Test
    void theDebugTwinCarriesBusyboxBesideTheFinalStage() throws Exception {
        Path context = context("twin", "FROM scratch\nCOPY hello /app/hello\nENTRYPOINT [\"/app/hello\"]\n");
        Files.copy(staticHello, context.resolve("hello"));
        String image = registry.host() + "/twin:1";
        CliRun run = build(context, "--image", image, "--debug-tag", "1-debug");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.result().debugImage()).startsWith(registry.host() + "/twin@sha256:");
        JsonNode twin = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Skopeo.inspectRaw(
                registry.host() + "/twin:1-debug"));
        assertThat(twin.path("layers")).hasSize(2);
        assertThat(Skopeo.env(registry.host() + "/twin:1-debug")).contains("PATH=/bin");
    }

    @Test
    void addUnpacksALocalTarAndCopiesAnyOtherFile() throws Exception {
        Path context = context("add", """
                FROM scratch
                ADD assets.tar.gz /srv/
                ADD notes.gz /srv/notes.gz
                COPY hello /hello
                ENTRYPOINT ["/hello"]
                """);
        Files.copy(staticHello, context.resolve("hello"));
        Path assets = Files.createDirectories(work.resolve("add-assets/static"));
        Files.writeString(assets.resolve("index.html"), "<h1>hi</h1>\n");
        Processes.run(Duration.ofSeconds(30), List.of("tar", "-czf", context.resolve("assets.tar.gz").toString(),
                "-C", assets.getParent().toString(), "static")).requireSuccess("tar");
        Files.writeString(work.resolve("notes"), "just text\n");
        Processes.run(Duration.ofSeconds(30), List.of("gzip", "-k", work.resolve("notes").toString()))
                .requireSuccess("gzip");
        Files.copy(work.resolve("notes.gz"), context.resolve("notes.gz"));
        Path layout = work.resolve("add-layout");
        CliRun run = build(context, "--oci-layout", layout.toString());
        assertThat(run.exitCode()).as(run.all()).isZero();
        Path rootfs = Skopeo.unpack(layout, work.resolve("add-rootfs"));
        assertThat(Files.readString(rootfs.resolve("srv/static/index.html"))).isEqualTo("<h1>hi</h1>\n");
        assertThat(Files.readAllBytes(rootfs.resolve("srv/notes.gz"))).isEqualTo(Files.readAllBytes(
                context.resolve("notes.gz")));
    }

    @Test
    void aFailingRunNamesItsLine() throws Exception {
        Path context = context("run-fails", "FROM " + busyboxImage + " AS build\nRUN echo about to fail && false\n"
                + "FROM scratch\nCOPY --from=build /bin/busybox /b\nENTRYPOINT [\"/b\"]\n");
        CliRun run = build(context, "--oci-layout", work.resolve("fails-layout").toString());
        assertThat(run.exitCode()).isEqualTo(ResultReason.BuildStepFailed.exitCode());
        assertThat(run.result().message()).contains("line 2", "RUN exited with 1");
        assertThat(run.stderr()).contains("about to fail");
    }

    @Test
    void aDynamicBinaryInTheFinalStageIsRefusedWithItsLibrariesAndTheFix() throws Exception {
        Path context = context("dynamic", "FROM scratch\nCOPY hello-dyn /app/hello\nENTRYPOINT [\"/app/hello\"]\n");
        Files.copy(dynamicHello, context.resolve("hello-dyn"));
        CliRun run = build(context, "--oci-layout", work.resolve("dynamic-layout").toString());
        assertThat(run.exitCode()).isEqualTo(ResultReason.DynamicDependency.exitCode());
        BuildResult result = run.result();
        assertThat(result.reason()).isEqualTo("DynamicDependency");
        assertThat(result.message()).contains("/app/hello is dynamically linked", "libc.so.6", "-static",
                "CGO_ENABLED=0", "musl");
        assertThat(result.files()).singleElement().satisfies(f -> {
            assertThat(f.verdict()).isEqualTo("Dynamic");
            assertThat(f.needed()).contains("libc.so.6");
        });
        assertThat(work.resolve("dynamic-layout")).doesNotExist();
    }

    /**
     * --bundle: the dynamic file's loader and libraries come from the root of the stage it was copied from (here a
     * stage holding this host's glibc), and the image runs from an otherwise empty root.
     */
    @Test
    void bundleTakesTheLibrariesFromTheStageThatBuiltTheFile() throws Exception {
        Path context = context("bundle", """
                FROM scratch AS build
                COPY rootfs/ /
                FROM scratch
                COPY --from=build /usr/local/bin/hello /hello
                ENTRYPOINT ["/hello"]
                """);
        Path rootfs = Files.createDirectories(context.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("usr/local/bin"));
        Files.copy(dynamicHello, rootfs.resolve("usr/local/bin/hello"));
        for (String library : List.of("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6")) {
            Path target = rootfs.resolve(library.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(library).toRealPath(), target);
        }
        Path layout = work.resolve("bundle-layout");
        CliRun run = build(context, "--bundle", "--oci-layout", layout.toString(), "--smoke-test", "");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.result().link().verdict()).isEqualTo("Dynamic");
        assertThat(run.result().link().bundled()).contains("/lib/x86_64-linux-gnu/libc.so.6");
        assertThat(run.result().smokeTest().output()).contains("hello from a Dockerfile");
        Path unpacked = Skopeo.unpack(layout, work.resolve("bundle-rootfs"));
        assertThat(unpacked.resolve("lib/x86_64-linux-gnu/libc.so.6")).exists();
    }

    @Test
    void aDistroFinalStageIsRefusedBeforeAnythingIsPulled() throws Exception {
        Path context = context("distro", "FROM gcc AS build\nRUN make\nFROM ubuntu:22.04\n"
                + "COPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n");
        CliRun run = build(context, "--oci-layout", work.resolve("distro-layout").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.result().reason()).isEqualTo("FinalStageNotScratch");
        assertThat(run.result().message()).contains("line 3", "FROM ubuntu:22.04", "distribution", "FROM scratch");
        assertThat(run.stderr()).doesNotContain("pull");
    }

    @Test
    void anUnsupportedInstructionIsRefusedWithItsLine() throws Exception {
        Path context = context("unsupported", "FROM scratch\nCOPY hello /hello\nVOLUME /data\n"
                + "ENTRYPOINT [\"/hello\"]\n");
        CliRun run = build(context, "--oci-layout", work.resolve("unsupported-layout").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.result().reason()).isEqualTo("InvalidDockerfile");
        assertThat(run.result().message()).startsWith("Dockerfile line 3: VOLUME");
    }

    @Test
    void theEntrypointMustBeAVerifiedExecutableInTheFinalStage() throws Exception {
        Path context = context("no-entrypoint", "FROM scratch\nCOPY hello /hello\nENTRYPOINT /hello\n");
        Files.copy(staticHello, context.resolve("hello"));
        CliRun run = build(context, "--oci-layout", work.resolve("no-entrypoint-layout").toString());
        assertThat(run.result().reason()).isEqualTo("ExecutableNotFound");
        assertThat(run.result().message()).contains("/bin/sh", "JSON form");
    }

    @Test
    void optionsThatTheDockerfileSetsAreRefused() throws Exception {
        Path context = context("options", "FROM scratch\nCOPY hello /hello\nENTRYPOINT [\"/hello\"]\n");
        CliRun run = build(context, "--oci-layout", work.resolve("options-layout").toString(), "--user", "0",
                "--language", "c");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.result().message()).contains("--user", "--language", "cannot be combined");
    }
}
