package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Random and mutated Dockerfiles (and .dockerignore files): the parser and planner either plan or throw their own
 * {@link DockerfileException}, never anything else, and never hang. Seeded, so a failure repeats.
 */
class DockerfileFuzzTest {

    private static final List<String> SEEDS = List.of(DockerfilePlannerTest.ISSUE_EXAMPLE, """
            # syntax=docker/dockerfile:1
            # escape=\\
            ARG A=1
            FROM ${IMG:-debian} AS b
            ARG A
            ENV X="$A y" Z=${A:+z}
            WORKDIR /w
            COPY --chown=1:1 --chmod=644 ["a b", "c/"]
            RUN <<EOF
            echo $X
            EOF
            RUN ["sh", "-c", "true"]
            FROM scratch
            COPY --from=b /w /w
            COPY <<EOT /f
            text
            EOT
            EXPOSE 1-3/udp
            LABEL a=b "c d"=e
            USER 1:1
            STOPSIGNAL 9
            SHELL ["/x"]
            CMD run
            ENTRYPOINT ["/w/a"]
            """);
    private static final String ALPHABET = "FROMASRUNCOPYADDENVARG $${}:-+?='\"\\`[]<<-EOF\n\t #!/.*^";

    @Test
    void randomAndMutatedInputsOnlyEverThrowTheParsersException() {
        Random random = new Random(18);
        for (int i = 0; i < 20_000; i++) {
            String input = i % 3 == 0 ? randomText(random) : mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            survive(input);
        }
    }

    private static void survive(String input) {
        try {
            DockerfilePlanner.plan(input, Map.of("A", "2"), null);
        } catch (DockerfileException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("the planner threw " + e + " for:\n" + input, e);
        }
        try {
            DockerIgnore ignore = DockerIgnore.parse(input);
            ignore.excludes("a/b.c");
        } catch (DockerfileException e) {
            assertThat(e.getMessage()).startsWith(".dockerignore");
        } catch (RuntimeException e) {
            throw new AssertionError(".dockerignore parsing threw " + e + " for:\n" + input, e);
        }
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(200);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static String mutate(String seed, Random random) {
        StringBuilder text = new StringBuilder(seed);
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits && text.length() > 0; e++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(4)) {
                case 0 -> text.deleteCharAt(at);
                case 1 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 2 -> text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                default -> {
                    int end = Math.min(text.length(), at + random.nextInt(20));
                    text.insert(random.nextInt(text.length()), text.substring(at, end));
                }
            }
        }
        return text.toString();
    }
}
