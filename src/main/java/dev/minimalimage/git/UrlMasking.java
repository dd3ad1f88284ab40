package dev.minimalimage.git;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what may be a secret in free text (an error message, a log tail) before it reaches a status, an event or a
 * log: in every scheme://... URL a userinfo with a password or that looks like a token becomes ***, and the query
 * (and a fragment with key=value) becomes ***; {@code Authorization:}/{@code Proxy-Authorization:} header values and
 * bare "Bearer"/"Basic" credentials become ***. A plain user name (ssh://git@host/x, https://alice@host/x) and
 * scp-like git@host:path stay: they say how to log in and hold no secret.
 */
public final class UrlMasking {

    public static final String MASK = "***";

    /** scheme:// then everything up to white space, a quote or an angle bracket. */
    private static final Pattern URL = Pattern.compile("(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*)://([^\\s\"'<>`]*)");
    private static final Pattern HEADER = Pattern.compile(
            "(?i)\\b((?:proxy-)?authorization\\s*[:=]\\s*)(?:(basic|bearer|token|digest|negotiate)\\s+)?([^\\s\"',;]+)");
    private static final Pattern BARE = Pattern.compile("(?i)\\b(basic|bearer)\\s+([A-Za-z0-9._~+/=-]{16,})");
    /** A user name that is just a name: git, alice, x.y-z (not a token such as ghp_..., glpat-..., or a long blob). */
    private static final Pattern PLAIN_USER = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]{0,31}");
    private static final Pattern TOKEN_USER = Pattern.compile(
            "(?i)(gh[pousr]_|github_pat_|glpat-|glptt-|gldt-|x-access-token|x-token-auth|oauth2?|.*[0-9].*[0-9].*[0-9].*[0-9]).*");
    private static final String TRAILING = ".,;:!?";

    private UrlMasking() {
    }

    /** The text with every URL masked and credential headers removed; null stays null. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher m = URL.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        while (m.find()) {
            String rest = m.group(2);
            int end = urlLength(rest);
            out.append(text, last, m.start()).append(m.group(1)).append("://").append(maskAfterScheme(rest.substring(0, end)));
            last = m.start(2) + end;
        }
        out.append(text, last, text.length());
        String masked = HEADER.matcher(out).replaceAll(h -> Matcher.quoteReplacement(
                h.group(1) + (h.group(2) == null ? "" : h.group(2) + " ") + MASK));
        return BARE.matcher(masked).replaceAll(b -> Matcher.quoteReplacement(b.group(1) + " " + MASK));
    }

    /** Where the URL ends: trailing sentence punctuation and an unbalanced closing bracket are not part of it. */
    private static int urlLength(String candidate) {
        int end = candidate.length();
        while (end > 0) {
            char c = candidate.charAt(end - 1);
            if (TRAILING.indexOf(c) >= 0 || (c == ')' && unbalanced(candidate, end, '(', ')'))
                    || (c == ']' && unbalanced(candidate, end, '[', ']'))) {
                end--;
            } else {
                break;
            }
        }
        return end;
    }

    private static boolean unbalanced(String s, int end, char open, char close) {
        int depth = 0;
        for (int i = 0; i < end; i++) {
            depth += s.charAt(i) == open ? 1 : s.charAt(i) == close ? -1 : 0;
        }
        return depth < 0;
    }

    private static String maskAfterScheme(String url) {
        int queryAt = url.indexOf('?');
        int fragmentAt = url.indexOf('#');
        int pathEnd = queryAt >= 0 ? queryAt : fragmentAt >= 0 ? fragmentAt : url.length();
        String beforeQuery = maskUserInfo(url.substring(0, pathEnd));
        if (queryAt >= 0) {
            return beforeQuery + "?" + MASK;
        }
        if (fragmentAt >= 0 && url.indexOf('=', fragmentAt) >= 0) {
            return beforeQuery + "#" + MASK;
        }
        return beforeQuery + url.substring(pathEnd);
    }

    /** authority[/path]: a userinfo that is more than a plain user name becomes ***. */
    private static String maskUserInfo(String authorityAndPath) {
        int slash = authorityAndPath.indexOf('/');
        String authority = slash >= 0 ? authorityAndPath.substring(0, slash) : authorityAndPath;
        int at = authority.lastIndexOf('@');
        if (at < 0 && slash >= 0 && looksLikeUserAndPassword(authority)) {
            at = authorityAndPath.indexOf('@'); // user:pass/word@host: an unencoded '/' in the password
        }
        if (at < 0) {
            return authorityAndPath;
        }
        String userInfo = authorityAndPath.substring(0, at);
        return (isPlainUser(userInfo) ? userInfo : MASK) + authorityAndPath.substring(at);
    }

    private static boolean looksLikeUserAndPassword(String authority) {
        int colon = authority.indexOf(':');
        return !authority.startsWith("[") && colon >= 0 && !authority.substring(colon + 1).matches("[0-9]*");
    }

    static boolean isPlainUser(String userInfo) {
        return PLAIN_USER.matcher(userInfo).matches() && !TOKEN_USER.matcher(userInfo.toLowerCase(Locale.ROOT)).matches();
    }
}
