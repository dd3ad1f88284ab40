package dev.minimalimage.result;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutputTailTest {

    @Test
    void theOutputIsTheLastLinesCappedAndMasked() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append("line ").append(i).append(" ").append("x".repeat(200)).append('\n');
        }
        String tail = OutputTail.of(many + "see https://bob:hunter2@git.example/repo");
        assertThat(tail.length()).isLessThanOrEqualTo(OutputTail.CHARS);
        assertThat(tail).endsWith("git.example/repo").doesNotContain("hunter2").doesNotContain("line 30 ");
        assertThat(OutputTail.of("  \n")).isNull();
    }

    @Test
    void shortLinesKeepExactlyTheLastTen() {
        StringBuilder twenty = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            twenty.append("line ").append(i).append('\n');
        }
        assertThat(OutputTail.of(twenty.toString()).lines().toList()).hasSize(OutputTail.LINES)
                .startsWith("line 11").endsWith("line 20");
    }

    @Test
    void oneLongLineKeepsItsEndBehindAnEllipsis() {
        String tail = OutputTail.of("a".repeat(5000) + "THE END");
        assertThat(tail).hasSize(OutputTail.CHARS).startsWith("...a").endsWith("THE END");
    }
}
