package dev.minimalimage.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KubeletTextTest {

    @Test
    void expandsAsTheKubeletDoes() {
        assertThat(KubeletText.expand("$(A)-$$(A)-$(B)-$A-$(-$", Map.of("A", "1"))).isEqualTo("1-$(A)-$(B)-$A-$(-$");
        assertThat(KubeletText.expand("ünï $(HOME) $$$(HOME) $$$$(A)) $(A", Map.of("HOME", "/h", "A", "é")))
                .isEqualTo("ünï /h $/h $$(A)) $(A");
        // Go's byte-wise reading: a lone $ before a multi-byte character garbles it; an escaped $$ does not
        assertThat(KubeletText.expand("$ü|$$ü", Map.of())).isEqualTo("$\u00c3\ufffd|$ü");
    }
}
