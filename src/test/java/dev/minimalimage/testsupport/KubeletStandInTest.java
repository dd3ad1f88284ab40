package dev.minimalimage.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
@Timeout(60)
class KubeletStandInTest {

    static KubernetesClient client;

    @TempDir
    Path workRoot;

    private KubeletStandIn kubelet;

    @BeforeEach
    void startKubelet() {
        kubelet = new KubeletStandIn(client, workRoot,
                Map.of("fake/own:1", List.of("echo", "mapped"))).withConfigErrorTimeout(Duration.ofSeconds(1))
                .start();
    }

    @AfterEach
    void closeKubelet() {
        kubelet.close();
    }

    @Test
    void emptyDirSharedByInitContainerAndTerminationMessage() {
        String ns = "empty-dir";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("writer").withImage("busybox")
                .withCommand("sh", "-c", "echo hello > /shared/greeting").addNewVolumeMount()
                .withName("shared").withMountPath("/shared").endVolumeMount().endInitContainer()
                .addNewContainer().withName("reader").withImage("busybox")
                .withCommand("sh", "-c",
                        "printf '{\"greeting\":\"%s\"}' \"$(cat /shared/greeting)\" > /dev/termination-log; echo done")
                .addNewVolumeMount().withName("shared").withMountPath("/shared/").endVolumeMount().endContainer()
                .addNewVolume().withName("shared").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build()).create();

        Pod pod = await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));

        assertThat(pod.getStatus().getStartTime()).isNotBlank();
        assertThat(pod.getStatus().getPodIP()).isEqualTo("127.0.0.1");
        ContainerStatus init = pod.getStatus().getInitContainerStatuses().get(0);
        assertThat(init.getName()).isEqualTo("writer");
        assertThat(init.getState().getTerminated().getExitCode()).isZero();
        assertThat(init.getState().getTerminated().getReason()).isEqualTo("Completed");
        ContainerStatus main = pod.getStatus().getContainerStatuses().get(0);
        assertThat(main.getName()).isEqualTo("reader");
        assertThat(main.getImage()).isEqualTo("busybox");
        assertThat(main.getRestartCount()).isZero();
        var terminated = main.getState().getTerminated();
        assertThat(terminated.getExitCode()).isZero();
        assertThat(terminated.getReason()).isEqualTo("Completed");
        assertThat(terminated.getMessage()).isEqualTo("{\"greeting\":\"hello\"}");
        assertThat(terminated.getContainerID()).startsWith("local://");
        assertThat(terminated.getStartedAt()).isNotBlank();
        assertThat(terminated.getFinishedAt()).isNotBlank();
        assertThat(kubelet.logs(ns, "p", "reader")).hasValue("done\n");
        assertThat(workRoot.resolve(ns).resolve("p").resolve("volumes").resolve("shared").resolve("greeting"))
                .hasContent("hello");
        assertThat(kubelet.podsRun()).isEqualTo(1);
    }

    @Test
    void configMapItemsIntoSubdirectories() {
        String ns = "config-map";
        client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("cfg")
                .endMetadata().addToData("a.conf", "alpha\n").addToData("b.txt", "beta\n")
                .addToData("unused", "x").build()).create();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox").withWorkingDir("/etc/cfg")
                .withCommand("sh", "-c", "cat /etc/cfg/conf/deep/a.conf b/b.txt; ls /etc/cfg; "
                        + "readlink /etc/cfg/conf /etc/cfg/..data; find /etc/cfg -name a.conf | wc -l")
                .addNewVolumeMount().withName("cfg").withMountPath("/etc/cfg").endVolumeMount().endContainer()
                .addNewVolume().withName("cfg").withNewConfigMap().withName("cfg")
                .addNewItem().withKey("a.conf").withPath("conf/deep/a.conf").endItem()
                .addNewItem().withKey("b.txt").withPath("b/b.txt").endItem().endConfigMap().endVolume()
                .endSpec().build()).create();

        await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));

        // as the kubelet lays it out (AtomicWriter): NAME -> ..data/NAME, ..data -> ..<timestamp>; find does not
        // follow the links (one a.conf), but cp -r copies both the payload and the links' targets
        String log = kubelet.logs(ns, "p", "main").orElseThrow();
        assertThat(log).startsWith("alpha\nbeta\nb\nconf\n..data/conf\n..");
        assertThat(log.lines().skip(5).findFirst()).hasValueSatisfying(
                l -> assertThat(l).matches("\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\.\\d{9}"));
        assertThat(log).endsWith("\n1\n");
    }

    @Test
    void secretEnvVarResolvesAndExpands() {
        String ns = "secret-env";
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("creds")
                .endMetadata()
                .addToData("password", Base64.getEncoder().encodeToString("s3cr3t".getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox")
                .withCommand("sh", "-c", "printf '%s|%s|%s' \"$PASS\" \"$GREETING\" \"$1\" > /dev/termination-log",
                        "sh", "$(PASS)-$(UNDEFINED)")
                .addNewEnv().withName("PASS").withNewValueFrom().withNewSecretKeyRef("password", "creds", false)
                .endValueFrom().endEnv()
                .addNewEnv().withName("GREETING").withValue("hi $(PASS) $$(PASS)").endEnv()
                .endContainer().endSpec().build()).create();

        Pod pod = await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));

        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
                .isEqualTo("s3cr3t|hi s3cr3t $(PASS)|s3cr3t-$(UNDEFINED)");
    }

    @Test
    void failingInitContainerFallsBackToLogTail() {
        String ns = "init-fails";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("init").withImage("busybox")
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withCommand("sh", "-c", "for i in $(seq 1 100); do echo line $i; done; echo oops >&2; exit 3")
                .endInitContainer()
                .addNewContainer().withName("main").withImage("busybox").withCommand("true").endContainer()
                .endSpec().build()).create();

        Pod pod = await(ns, "p", phase("Failed"), Duration.ofSeconds(10));

        var init = pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated();
        assertThat(init.getExitCode()).isEqualTo(3);
        assertThat(init.getReason()).isEqualTo("Error");
        String expected = IntStream.rangeClosed(22, 100).mapToObj(i -> "line " + i + "\n")
                .collect(Collectors.joining()) + "oops\n";
        assertThat(init.getMessage()).isEqualTo(expected);
        var main = pod.getStatus().getContainerStatuses().get(0).getState();
        assertThat(main.getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(kubelet.logs(ns, "p", "main")).isEmpty();
    }

    @Test
    void oversizeTerminationMessageKeepsLast4096Bytes() {
        String ns = "oversize";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox")
                .withTerminationMessagePath("/var/run/msg")
                .withCommand("sh", "-c", "seq 1 2200 > /var/run/msg").endContainer()
                .endSpec().build()).create();

        Pod pod = await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));

        String all = IntStream.rangeClosed(1, 2200).mapToObj(i -> i + "\n").collect(Collectors.joining());
        assertThat(all.length()).isGreaterThan(9000);
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
                .isEqualTo(all.substring(all.length() - 4096));
    }

    @Test
    void activeDeadlineKillsThePod() {
        String ns = "deadline";
        long t0 = System.nanoTime();
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never").withActiveDeadlineSeconds(2L)
                .addNewContainer().withName("main").withImage("busybox").withCommand("sleep", "30").endContainer()
                .endSpec().build()).create();

        Pod running = await(ns, "p", phase("Running"), Duration.ofSeconds(5));
        long pid = pid(running.getStatus().getContainerStatuses().get(0).getContainerID());
        Pod pod = await(ns, "p", phase("Failed"), Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(pod.getStatus().getReason()).isEqualTo("DeadlineExceeded");
        assertThat(pod.getStatus().getMessage())
                .isEqualTo("Pod was active on the node longer than the specified deadline");
        var terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getReason()).isEqualTo("Error");
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void podDeletedMidRunKillsItsProcessTree() throws Exception {
        String ns = "deleted";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox")
                .withCommand("sh", "-c", "sleep 31 & sleep 32; wait").endContainer()
                .endSpec().build()).create();

        Pod running = await(ns, "p", phase("Running"), Duration.ofSeconds(5));
        long shell = pid(running.getStatus().getContainerStatuses().get(0).getContainerID());
        List<Long> tree = List.of(shell);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (tree.size() < 3 && System.nanoTime() < until) {
            Thread.sleep(20);
            tree = ProcessHandle.of(shell).stream()
                    .flatMap(h -> Stream.concat(Stream.of(h), h.descendants()))
                    .map(ProcessHandle::pid).toList();
        }
        assertThat(tree).hasSize(3); // sh and its two sleeps

        client.pods().inNamespace(ns).withName("p").delete();

        List<Long> survivors = tree;
        until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!survivors.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
            survivors = survivors.stream().filter(KubeletStandInTest::alive).toList();
        }
        assertThat(survivors).isEmpty();
        Thread.sleep(300);
        assertThat(client.pods().inNamespace(ns).withName("p").get()).isNull();
    }

    @Test
    void imageCommandReplacesTheContainerCommand() {
        String ns = "mapped";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("fake/own:1").withCommand("/no/such/binary")
                .withArgs("a", "/data/x").addNewVolumeMount().withName("d").withMountPath("/data").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("d").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build()).create();

        await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));

        Path data = workRoot.resolve(ns).resolve("p").resolve("volumes").resolve("d");
        assertThat(kubelet.logs(ns, "p", "main")).hasValue("mapped a " + data + "/x\n");
    }

    @Test
    void missingConfigMapIsCreateContainerConfigError() {
        String ns = "missing";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox").withCommand("true")
                .addNewVolumeMount().withName("cfg").withMountPath("/cfg").endVolumeMount().endContainer()
                .addNewVolume().withName("cfg").withNewConfigMap().withName("absent").endConfigMap().endVolume()
                .endSpec().build()).create();

        Pod pending = await(ns, "p", p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
                && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
                && "CreateContainerConfigError".equals(
                        p.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason()),
                Duration.ofSeconds(5));
        assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(pending.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage())
                .isEqualTo("configmap \"absent\" not found");

        Pod pod = await(ns, "p", phase("Failed"), Duration.ofSeconds(5));
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                .isEqualTo("CreateContainerConfigError");
    }

    @Test
    void secretCreatedLateIsPickedUpWhileRetrying() throws Exception {
        String ns = "late-secret";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox")
                .withCommand("sh", "-c", "cat /s/token/value > /dev/termination-log")
                .addNewVolumeMount().withName("s").withMountPath("/s").endVolumeMount().endContainer()
                .addNewVolume().withName("s").withNewSecret().withSecretName("late")
                .addNewItem().withKey("token").withPath("token/value").endItem().endSecret().endVolume()
                .endSpec().build()).create();
        Thread.sleep(400);
        client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("late")
                .endMetadata()
                .addToData("token", Base64.getEncoder().encodeToString("tok".getBytes(StandardCharsets.UTF_8)))
                .build()).create();

        Pod pod = await(ns, "p", phase("Succeeded"), Duration.ofSeconds(10));
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
                .isEqualTo("tok");
    }

    @Test
    void closeKillsRunningProcesses() {
        String ns = "closing";
        client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage("busybox").withCommand("sleep", "33").endContainer()
                .endSpec().build()).create();
        Pod running = await(ns, "p", phase("Running"), Duration.ofSeconds(5));
        long pid = pid(running.getStatus().getContainerStatuses().get(0).getContainerID());
        assertThat(alive(pid)).isTrue();

        long t0 = System.nanoTime();
        kubelet.close();

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void textHelpers() {
        assertThat(KubeletText.expand("$(A)-$$(A)-$(B)-$A-$(-$", Map.of("A", "1"))).isEqualTo("1-$(A)-$(B)-$A-$(-$");
        assertThat(KubeletText.expand("ünï $(HOME) $$$(HOME) $$$$(A)) $(A", Map.of("HOME", "/h", "A", "é")))
                .isEqualTo("ünï /h $/h $$(A)) $(A");
        // Go's byte-wise reading: a lone $ before a multi-byte character garbles it; an escaped $$ does not
        assertThat(KubeletText.expand("$ü|$$ü", Map.of())).isEqualTo("$\u00c3\ufffd|$ü");
        var map = new KubeletText.PathMap(Map.of("/data", "/host/d", "/data/sub", "/host/s",
                "/dev/termination-log", "/host/t"));
        assertThat(map.apply("/data /data/x /data/sub/y /data2 /x/data ./data a=/data:/data/sub"))
                .isEqualTo("/host/d /host/d/x /host/s/y /data2 /x/data ./data a=/host/d:/host/s");
        assertThat(map.apply("echo x > /dev/termination-log;")).isEqualTo("echo x > /host/t;");
        StringBuilder log = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            log.append("x".repeat(50)).append(i).append('\n');
        }
        byte[] tail = KubeletText.logTail(log.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(tail).hasSize(2048);
        assertThat(new String(tail, StandardCharsets.UTF_8)).endsWith("x99\n");
        assertThat(new String(KubeletText.logTail("a\nb\nc".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("a\nb\nc");
    }


    // ---------------------------------------------------------------- helpers

    private static Predicate<Pod> phase(String phase) {
        return p -> p.getStatus() != null && phase.equals(p.getStatus().getPhase());
    }

    private static Pod await(String ns, String name, Predicate<Pod> until, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Pod last = null;
        while (System.nanoTime() < deadline) {
            last = client.pods().inNamespace(ns).withName(name).get();
            if (last != null && until.test(last)) {
                return last;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("pod " + ns + "/" + name + " did not reach the expected state within " + timeout
                + "; last seen status:\n" + (last == null ? "(no pod)" : Serialization.asYaml(last.getStatus())));
    }

    private static long pid(String containerId) {
        assertThat(containerId).startsWith("local://");
        return Long.parseLong(containerId.substring("local://".length()));
    }

    /** Alive and not a zombie. */
    private static boolean alive(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (Exception e) {
            return false;
        }
    }
}
