package dev.minimalimage.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** .dockerignore lines and COPY globs, with docker's matching rules. */
class DockerIgnoreTest {

    @Test
    void lastMatchingLineDecidesAndDirectoriesCoverTheirContents() throws Exception {
        DockerIgnore ignore = DockerIgnore.parse("""
                # comment
                *.md
                !README.md
                build/
                **/*.o
                /secret?.txt
                docs/[a-c]*
                """);
        assertThat(ignore.excludes("notes.md")).isTrue();
        assertThat(ignore.excludes("README.md")).isFalse();
        assertThat(ignore.excludes("sub/notes.md")).as("* does not cross /").isFalse();
        assertThat(ignore.excludes("build")).isTrue();
        assertThat(ignore.excludes("build/deep/file")).isTrue();
        assertThat(ignore.excludes("a.o")).as("** matches no directory too").isTrue();
        assertThat(ignore.excludes("x/y/z.o")).isTrue();
        assertThat(ignore.excludes("secret1.txt")).isTrue();
        assertThat(ignore.excludes("secret12.txt")).isFalse();
        assertThat(ignore.excludes("docs/b.txt")).isTrue();
        assertThat(ignore.excludes("docs/d.txt")).isFalse();
        assertThat(ignore.excludes("main.c")).isFalse();
    }

    @Test
    void goMatchClassesAndEscapes() {
        assertThat(GlobPattern.of("[^a]x").matches("bx")).isTrue();
        assertThat(GlobPattern.of("[^a]x").matches("ax")).isFalse();
        assertThat(GlobPattern.of("\\*").matches("*")).isTrue();
        assertThat(GlobPattern.of("\\*").matches("a")).isFalse();
        assertThat(GlobPattern.of("a?c").matches("a/c")).isFalse();
        assertThat(GlobPattern.of("src/**").matches("src/a/b")).isTrue();
    }

    @Test
    void malformedPatternsNameTheirLine() {
        assertThatThrownBy(() -> DockerIgnore.parse("ok\n\n[abc\n")).isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith(".dockerignore line 3: ").hasMessageContaining("[abc");
        assertThatThrownBy(() -> DockerIgnore.parse("x\\")).hasMessageContaining("escape");
    }
}
