package dev.minimalimage.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Each case is the text, then what mask makes of it. */
class UrlMaskingTest {

    private static void assertMasks(String... textThenMasked) {
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < textThenMasked.length; i += 2) {
            soft.assertThat(UrlMasking.mask(textThenMasked[i])).as(textThenMasked[i]).isEqualTo(textThenMasked[i + 1]);
        }
        soft.assertAll();
    }

    @Test
    void passwordsTokensAndQueriesAreMasked() {
        assertMasks(
                "https://user:token@host/p?x=secret", "https://***@host/p?***",
                "http://u:p@host:8080/a/b.git", "http://***@host:8080/a/b.git",
                "git://host/x.git?token=1", "git://host/x.git?***",
                "ssh://git:secret@host/x", "ssh://***@host/x",
                "https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r", "https://***@github.com/o/r",
                "https://glpat-xxxxxxxxxxxxxxxxxxxx@gitlab.com/o/r", "https://***@gitlab.com/o/r",
                "https://0123456789abcdef@host/r", "https://***@host/r",
                "https://us%40er:p@ss@host:8443/x@y", "https://***@host:8443/x@y",
                "https://user:pa/ss@host/x", "https://***@host/x",
                "HTTPS://U:P@HOST/X", "HTTPS://***@HOST/X",
                "https://host/cb#access_token=abc", "https://host/cb#***",
                "https://user:pw@host", "https://***@host");
    }

    @Test
    void plainUsersScpLikeAndTextWithoutUrlsStay() {
        String plain = "error: build failed at 12:30: user alice@example.com said: see section 2.1 (basic setup).";
        String words = "Basic configuration is missing; Bearer of bad news";
        assertThat(UrlMasking.mask(null)).isNull();
        assertThat(UrlMasking.mask("")).isEmpty();
        assertMasks(
                "ssh://git@host:2222/x.git", "ssh://git@host:2222/x.git",
                "https://alice@host/x", "https://alice@host/x",
                "git@github.com:org/x.git", "git@github.com:org/x.git",
                "https://host/x.git#main", "https://host/x.git#main",
                plain, plain,
                words, words);
    }

    @Test
    void severalUrlsPunctuationBracketsIpv6AndPorts() {
        assertMasks(
                "cloning https://a:b@h1/x?t=1, then ssh://git@h2/y and git://h3/z?k=v.",
                "cloning https://***@h1/x?***, then ssh://git@h2/y and git://h3/z?***.",
                "failed (https://u:p@host/r?x=1)!", "failed (https://***@host/r?***)!",
                "see https://host/wiki/Foo_(bar).", "see https://host/wiki/Foo_(bar).",
                "url=\"https://u:p@host/r\"", "url=\"https://***@host/r\"",
                "at https://u:p@[2001:db8::1]:8443/r.git?a=b: refused",
                "at https://***@[2001:db8::1]:8443/r.git?***: refused",
                "http://[::1]:8080/r and http://[::1]", "http://[::1]:8080/r and http://[::1]",
                "[https://u:p@host/r]", "[https://***@host/r]",
                "line1 https://u:p@h/a\nline2 https://h/b?c=d\n", "line1 https://***@h/a\nline2 https://h/b?***\n");
    }

    @Test
    void authorizationHeadersAndBareCredentials() {
        assertMasks(
                "> Authorization: Basic dXNlcjpwYXNz\n> Accept: */*", "> Authorization: Basic ***\n> Accept: */*",
                "-H 'Authorization: Bearer eyJhbGciOi.J9.x'", "-H 'Authorization: Bearer ***'",
                "proxy-authorization=abcdef", "proxy-authorization=***",
                "AUTHORIZATION: token ghp_123", "AUTHORIZATION: token ***",
                "sent bearer abcdefghijklmnop0123 to the server", "sent bearer *** to the server",
                "Basic dXNlcjpwYXNzd29yZA==", "Basic ***");
    }
}
