package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.minimalimage.dockerfile.DockerfileException.Kind;
import dev.minimalimage.dockerfile.DockerfilePlan.Copy;
import dev.minimalimage.dockerfile.DockerfilePlan.Run;

/** Real-world Dockerfiles, planned as docker would build them; and every refusal, with its line. */
class DockerfilePlannerTest {

    static final String ISSUE_EXAMPLE = """
            FROM gcc AS build
            COPY hello.c /
            RUN gcc -static /hello.c -o /hello
            FROM scratch
            COPY --from=build /hello /
            ENTRYPOINT ["/hello"]
            """;

    static DockerfilePlan plan(String text) throws DockerfileException {
        return DockerfilePlanner.plan(text, Map.of(), null);
    }

    static DockerfileException refusal(String text) {
        return refusal(text, Map.of(), null);
    }

    static DockerfileException refusal(String text, Map<String, String> args, String target) {
        try {
            DockerfilePlanner.plan(text, args, target);
        } catch (DockerfileException e) {
            return e;
        }
        throw new AssertionError("planned without a refusal: " + text);
    }

    @Test
    void theIssuesExample() throws Exception {
        DockerfilePlan plan = plan(ISSUE_EXAMPLE);
        assertThat(plan.stages()).extracting(DockerfilePlan.Stage::label).containsExactly("build", "stage 1");
        DockerfilePlan.Stage build = plan.stages().get(0);
        assertThat(build.base().image()).isEqualTo("gcc");
        assertThat(build.steps()).hasSize(2);
        Copy copy = (Copy) build.steps().get(0);
        assertThat(copy.fromContext()).isTrue();
        assertThat(copy.sources()).containsExactly("hello.c");
        assertThat(copy.destination()).isEqualTo("/");
        assertThat(copy.intoDirectory()).isTrue();
        Run run = (Run) build.steps().get(1);
        assertThat(run.argv()).containsExactly("/bin/sh", "-c", "gcc -static /hello.c -o /hello");
        assertThat(run.workingDir()).isEqualTo("/");
        assertThat(run.network()).isTrue();
        assertThat(plan.finalStage().base().scratch()).isTrue();
        assertThat(plan.copiesFrom(0)).singleElement().satisfies(c -> {
            assertThat(c.sources()).containsExactly("/hello");
            assertThat(c.line()).isEqualTo(5);
        });
        assertThat(plan.image().entrypoint()).containsExactly("/hello");
        assertThat(plan.image().cmd()).isEmpty();
        assertThat(plan.warnings()).isEmpty();
    }

    @Test
    void goTwoStageWithBuildArgsAndUnusedStagesSkipped() throws Exception {
        String text = """
                # syntax=docker/dockerfile:1.7
                ARG GO_IMAGE=golang:1.22
                FROM ${GO_IMAGE} AS build
                ARG CGO_ENABLED=0
                WORKDIR /src
                COPY go.mod main.go ./
                RUN go build -trimpath -ldflags='-s -w' -o /out/app .

                FROM alpine AS debug
                COPY --from=build /out/app /app

                FROM scratch
                COPY --from=build /out/app /app
                USER 65532:65532
                EXPOSE 8080 9090/udp
                ENTRYPOINT ["/app"]
                CMD ["--port", "8080"]
                """;
        DockerfilePlan plan = DockerfilePlanner.plan(text, Map.of("GO_IMAGE", "toolchain/go:1.19", "UNUSED", "x"),
                null);
        assertThat(plan.stages()).extracting(DockerfilePlan.Stage::index).containsExactly(0, 2);
        assertThat(plan.stages().get(0).base().image()).isEqualTo("toolchain/go:1.19");
        Copy copy = (Copy) plan.stages().get(0).steps().get(1);
        assertThat(copy.sources()).containsExactly("go.mod", "main.go");
        assertThat(copy.destination()).isEqualTo("/src");
        assertThat(copy.intoDirectory()).isTrue();
        Run run = (Run) plan.stages().get(0).steps().get(2);
        assertThat(run.env()).containsEntry("CGO_ENABLED", "0");
        assertThat(run.workingDir()).isEqualTo("/src");
        assertThat(plan.image().user()).isEqualTo("65532:65532");
        assertThat(plan.image().exposedPorts()).containsExactly("8080/tcp", "9090/udp");
        assertThat(plan.image().argv()).containsExactly("/app", "--port", "8080");
        assertThat(plan.warnings()).singleElement().asString().contains("UNUSED");
    }

    @Test
    void binaryPlusConfigWithEnvWorkdirLabelsAndStopSignal() throws Exception {
        String text = """
                FROM debian:bookworm AS build
                RUN apt-get install -y musl-tools \\
                 # a comment inside the continuation
                 && musl-gcc -static -o /srv /srv.c
                FROM scratch
                ENV APP_HOME=/opt/app LOG="info level"
                ENV LEGACY spaced value
                WORKDIR $APP_HOME
                COPY --from=build --chmod=755 /srv bin/srv
                COPY config.toml ./etc/
                LABEL org.opencontainers.image.title="srv" version=1
                MAINTAINER someone@example.org
                STOPSIGNAL SIGTERM
                ENTRYPOINT ["bin/srv"]
                """;
        DockerfilePlan plan = plan(text);
        Run run = (Run) plan.stages().get(0).steps().get(0);
        assertThat(run.argv().get(2)).isEqualTo("apt-get install -y musl-tools  && musl-gcc -static -o /srv /srv.c");
        DockerfilePlan.Stage last = plan.finalStage();
        Copy binary = (Copy) last.steps().get(1);
        assertThat(binary.destination()).isEqualTo("/opt/app/bin/srv");
        assertThat(binary.intoDirectory()).isFalse();
        assertThat(binary.chmod()).isEqualTo(0755);
        assertThat(((Copy) last.steps().get(2)).destination()).isEqualTo("/opt/app/etc");
        assertThat(((Copy) last.steps().get(2)).intoDirectory()).isTrue();
        assertThat(plan.image().env()).containsExactly("APP_HOME=/opt/app", "LOG=info level",
                "LEGACY=spaced value");
        assertThat(plan.image().workingDir()).isEqualTo("/opt/app");
        assertThat(plan.image().labels()).containsEntry("org.opencontainers.image.title", "srv")
                .containsEntry("version", "1").containsEntry("maintainer", "someone@example.org");
        assertThat(plan.image().stopSignal()).isEqualTo("SIGTERM");
    }

    @Test
    void prebuiltStaticBinaryIntoScratchHasNoBuildStage() throws Exception {
        DockerfilePlan plan = plan("FROM scratch\nCOPY hello /hello\nCMD [\"/hello\", \"world\"]\n");
        assertThat(plan.stages()).hasSize(1);
        assertThat(plan.finalStage().hasRun()).isFalse();
        assertThat(plan.image().argv()).containsExactly("/hello", "world");
    }

    @Test
    void aDistroAsTheFinalStageIsRefusedWithTheFix() {
        DockerfileException e = refusal("FROM ubuntu:22.04\nCOPY app /app\nENTRYPOINT [\"/app\"]\n");
        assertThat(e.kind()).isEqualTo(Kind.FINAL_STAGE_NOT_SCRATCH);
        assertThat(e.getMessage()).contains("line 1", "FROM ubuntu:22.04", "distribution", "FROM scratch",
                "COPY --from=0");
        DockerfileException through = refusal("FROM ubuntu AS base\nFROM base\nCOPY app /app\n");
        assertThat(through.getMessage()).contains("line 2", "FROM ubuntu", "through stage 1, FROM base",
                "COPY --from=base");
    }

    @Test
    void aFinalStageFromAnEarlierScratchStageIsAccepted() throws Exception {
        DockerfilePlan plan = plan("""
                FROM scratch AS common
                COPY ca.crt /etc/ssl/certs/ca-certificates.crt
                ENV A=1
                CMD ["/x"]
                FROM common
                COPY x /x
                ENTRYPOINT ["/x"]
                """);
        assertThat(plan.stages()).hasSize(2);
        assertThat(plan.image().env()).containsExactly("A=1");
        assertThat(plan.image().cmd()).as("an ENTRYPOINT resets the CMD a base stage set").isEmpty();
    }

    @Test
    void targetStageAndItsDependenciesOnly() throws Exception {
        String text = "FROM scratch AS a\nCOPY a /a\nFROM scratch AS b\nCOPY --from=a /a /b\nFROM scratch AS c\n"
                + "COPY c /c\n";
        DockerfilePlan plan = DockerfilePlanner.plan(text, Map.of(), "B");
        assertThat(plan.stages()).extracting(DockerfilePlan.Stage::name).containsExactly("a", "b");
        assertThat(refusal(text, Map.of(), "nope").getMessage()).contains("no stage named \"nope\"", "a, b, c");
    }

    @Test
    void argScopesDefaultsAndBuildArgs() throws Exception {
        String text = """
                ARG BASE=scratch
                ARG VERSION=1.0
                FROM $BASE
                ARG VERSION
                ARG TARGETARCH
                ARG NAME=app-${VERSION}-${TARGETARCH}
                ENV V=${VERSION:-none} W=${UNSET:-dflt} X=${VERSION:+set} Y=${UNSET:+set} Q='$VERSION' E=\\$HOME
                LABEL name=$NAME
                """;
        DockerfilePlan plan = DockerfilePlanner.plan(text, Map.of("VERSION", "2.5"), null);
        assertThat(plan.image().env()).containsExactly("V=2.5", "W=dflt", "X=set", "Y=", "Q=$VERSION", "E=$HOME");
        assertThat(plan.image().labels()).containsEntry("name", "app-2.5-amd64");
        // a global ARG is not visible inside a stage until the stage declares it
        DockerfilePlan undeclared = plan("ARG V=1\nFROM scratch\nENV X=\"[$V]\"\n");
        assertThat(undeclared.image().env()).containsExactly("X=[]");
    }

    @Test
    void shellFormCommandsUseTheStagesShell() throws Exception {
        DockerfilePlan plan = plan("FROM scratch\nSHELL [\"/busybox\", \"sh\", \"-c\"]\nENTRYPOINT exec /app $X\n");
        assertThat(plan.image().entrypoint()).containsExactly("/busybox", "sh", "-c", "exec /app $X");
        assertThat(refusal("FROM scratch\nSHELL /bin/bash -c\n").getMessage()).contains("line 2", "JSON form");
    }

    @Test
    void escapeDirectiveAndHeredocs() throws Exception {
        String text = """
                # escape=`
                FROM debian AS build
                RUN <<EOF
                echo one
                echo two
                EOF
                RUN cat > /a <<-END && echo `
                  done
                \tindented
                \tEND
                FROM scratch
                COPY --from=build /a C:\\dir\\
                COPY <<EOF /etc/app.conf
                key=value
                EOF
                """;
        DockerfilePlan plan = plan(text);
        List<DockerfilePlan.Step> steps = plan.stages().get(0).steps();
        assertThat(((Run) steps.get(0)).argv()).containsExactly("/bin/sh", "-c", "echo one\necho two\n");
        assertThat(((Run) steps.get(1)).argv().get(2)).isEqualTo("cat > /a <<-END && echo   done\nindented\nEND\n");
        Copy windowsPath = (Copy) plan.finalStage().steps().get(0);
        assertThat(windowsPath.destination()).isEqualTo("/C:\\dir\\");
        assertThat(((Run) plan("FROM debian AS b\nRUN echo $((1<<2))\nFROM scratch\nCOPY --from=b /x /x\n").stages().get(0).steps().get(0)).argv())
                .as("<< inside a word opens no heredoc").containsExactly("/bin/sh", "-c", "echo $((1<<2))");
        Copy heredoc = (Copy) plan.finalStage().steps().get(1);
        assertThat(heredoc.content()).isEqualTo("key=value\n");
        assertThat(heredoc.destination()).isEqualTo("/etc/app.conf");
    }

    @Test
    void unsupportedInstructionsNameTheirLine() {
        for (String line : List.of("VOLUME /data", "HEALTHCHECK CMD /app -health", "ONBUILD RUN make",
                "RUN --mount=type=cache,target=/root/.cache go build", "ADD https://example.org/x.tgz /",
                "ADD --checksum=sha256:00 x /", "COPY --parents a /", "FROM --platform=linux/arm64 scratch",
                "RUN --network=host true", "COPY --chmod=u+x a /a")) {
            DockerfileException e = refusal("FROM scratch\n\n" + line + "\n");
            assertThat(e.kind()).as(line).isEqualTo(Kind.UNSUPPORTED);
            assertThat(e.line()).as(line).isEqualTo(3);
            assertThat(e.getMessage()).as(line).startsWith("Dockerfile line 3").contains(line.substring(0,
                    line.indexOf(' ')));
        }
    }

    @Test
    void syntaxErrorsNameLineAndColumn() {
        DockerfileException unknown = refusal("FROM scratch\n  FRUM x\n");
        assertThat(unknown.kind()).isEqualTo(Kind.SYNTAX);
        assertThat(unknown.getMessage()).startsWith("Dockerfile line 2, column 3: unknown instruction \"FRUM\"");
        DockerfileException quote = refusal("FROM scratch\nENV A=\"open\n");
        assertThat(quote.getMessage()).startsWith("Dockerfile line 2, column 7: unterminated double quote");
        DockerfileException modifier = refusal("FROM scratch\nENV A=${B%%x}\n");
        assertThat(modifier.getMessage()).contains("line 2, column 7", "only ${VAR}");
        assertThat(refusal("RUN true\nFROM scratch\n").getMessage()).contains("line 1", "before the first FROM");
        assertThat(refusal("# syntax=example.org/frontend:2\nFROM scratch\n").getMessage())
                .contains("line 1, column 10", "docker/dockerfile:1");
        assertThat(refusal("# escape=x\nFROM scratch\n").getMessage()).contains("line 1, column 10");
        assertThat(refusal("FROM scratch\nRUN <<EOF\nnever closed\n").getMessage()).contains("line 2",
                "<<EOF is never closed");
        assertThat(refusal("").getMessage()).contains("no FROM");
        assertThat(refusal("FROM scratch AS a\nFROM scratch AS A\n").getMessage()).contains("line 2", "twice");
        assertThat(refusal("FROM scratch\nCOPY --from=1 a /\n").getMessage()).contains("not an earlier stage");
        assertThat(refusal("FROM scratch\nEXPOSE 70000\n").getMessage()).contains("line 2", "65535");
    }

    @Test
    void theSyntaxDirectiveAcceptsTheBuiltInFrontend() throws Exception {
        for (String syntax : List.of("docker/dockerfile:1", "docker/dockerfile:1.4.3", "docker.io/docker/dockerfile:1",
                "docker/dockerfile:1@sha256:abc")) {
            assertThat(plan("# syntax=" + syntax + "\nFROM scratch\n").stages()).as(syntax).hasSize(1);
        }
        assertThat(refusal("# syntax=docker/dockerfile:1-labs\nFROM scratch\n").kind()).isEqualTo(Kind.SYNTAX);
        // a directive after the first comment is only a comment
        assertThat(plan("# hello\n# syntax=whatever\nFROM scratch\n").stages()).hasSize(1);
    }
}
