package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** How a plan maps onto a pod's containers, and what a pod cannot do, refused with the line. */
class StageContainersTest {

    static StageContainers of(String text) throws DockerfileException {
        return StageContainers.of(DockerfilePlanner.plan(text, Map.of(), null));
    }

    @Test
    void eachStageFromAnImageAndEachCopiedImageIsAContainerInTheOrderTheyRun() throws Exception {
        StageContainers containers = of("""
                FROM golang:1.22 AS go
                USER 1000:1000
                RUN go build -o /out/a .
                FROM gcc AS c
                RUN gcc -static -o /b b.c
                FROM scratch AS assets
                COPY conf /etc/conf
                FROM scratch
                COPY --from=go /out/a /a
                COPY --from=c /b /b
                COPY --from=alpine:3.20 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
                COPY --from=assets /etc/conf /etc/conf
                ENTRYPOINT ["/a"]
                """);
        assertThat(containers.containers()).extracting(StageContainers.Container::key,
                StageContainers.Container::image, StageContainers.Container::user)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("image-0", "alpine:3.20", null),
                        org.assertj.core.groups.Tuple.tuple("stage-0", "golang:1.22", "1000:1000"),
                        org.assertj.core.groups.Tuple.tuple("stage-1", "gcc", null));
        assertThat(containers.containers().get(0).handsOn()).containsExactly("/etc/ssl/certs/ca-certificates.crt");
        assertThat(containers.containers().get(1).handsOn()).containsExactly("/out/a");
        assertThat(containers.containers().get(1).ids()).containsExactly(1000, 1000);
        assertThat(containers.containers().get(2).ids()).as("the image's own user").isNull();
        assertThat(StageContainers.isKey("stage-12")).isTrue();
        assertThat(StageContainers.isKey("image-0")).isTrue();
        assertThat(StageContainers.isKey("package")).isFalse();
        assertThat(StageContainers.isKey("stage-")).isFalse();
        assertThat(StageContainers.isKey("stage-x")).isFalse();
    }

    @Test
    void whatAPodCannotRunIsRefusedWithTheLine() {
        assertThatThrownBy(() -> of("FROM gcc AS build\nRUN make\nFROM build AS test\nRUN make test\n"
                + "FROM scratch\nCOPY --from=test /app /app\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 3")
                .hasMessageContaining("FROM build").hasMessageContaining("COPY --from");
        assertThatThrownBy(() -> of("FROM gcc AS build\nUSER nobody\nRUN make\nFROM scratch\n"
                + "COPY --from=build /app /app\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 3")
                .hasMessageContaining("USER nobody").hasMessageContaining("number");
        assertThatThrownBy(() -> of("FROM gcc AS build\nRUN make\nUSER 1000\nRUN make install\nFROM scratch\n"
                + "COPY --from=build /app /app\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 4")
                .hasMessageContaining("(line 2)").hasMessageContaining("one user");
        assertThatThrownBy(() -> of("FROM gcc AS build\nRUN make\nFROM scratch\nCOPY --from=build /out/*.so /lib/\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 4")
                .hasMessageContaining("wildcards");
        assertThatThrownBy(() -> of("FROM scratch AS conf\nCOPY app.conf /etc/app.conf\nFROM gcc AS build\n"
                + "COPY --from=conf /etc/app.conf /etc/\nRUN make\nFROM scratch\nCOPY --from=build /app /app\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 4")
                .hasMessageContaining("COPY --from=conf");
        assertThatThrownBy(() -> of("FROM scratch AS s\nRUN true\nFROM scratch\nCOPY --from=s /a /a\n"))
                .isInstanceOf(DockerfileException.class).hasMessageContaining("line 2")
                .hasMessageContaining("no shell");
    }
}
