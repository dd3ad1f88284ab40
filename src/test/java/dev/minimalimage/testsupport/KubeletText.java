package dev.minimalimage.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The kubelet's $(VAR) expansion of container arguments, for tests that run a pod's arguments outside a cluster. */
public final class KubeletText {

    private KubeletText() {
    }

    /**
     * Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion), ported byte for byte: {@code $(NAME)} becomes
     * the value when defined and stays as written otherwise, {@code $$} becomes {@code $}, any other {@code $} stays.
     * Go works on UTF-8 bytes and turns the byte after a lone {@code $} into the rune of that number, so a lone
     * {@code $} before a non-ASCII character garbles it ("$ü" arrives as "$Ã" and a stray byte): reproduced here, as
     * a process decoding its arguments as UTF-8 would see it.
     */
    public static String expand(String input, Map<String, String> vars) {
        if (input == null || input.indexOf('$') < 0) {
            return input;
        }
        byte[] in = input.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        int checkpoint = 0;
        for (int cursor = 0; cursor < in.length; cursor++) {
            if (in[cursor] == '$' && cursor + 1 < in.length) {
                out.write(in, checkpoint, cursor - checkpoint);
                cursor += readVariable(in, cursor + 1, vars, out);
                checkpoint = cursor + 1;
            }
        }
        out.write(in, checkpoint, in.length - checkpoint);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Go's tryReadVariableName plus the mapping: writes what replaces the '$' and returns the bytes consumed after it. */
    private static int readVariable(byte[] in, int from, Map<String, String> vars, ByteArrayOutputStream out) {
        if (in[from] == '$') {
            out.write('$');
            return 1;
        }
        if (in[from] == '(') {
            for (int i = from + 1; i < in.length; i++) {
                if (in[i] == ')') {
                    String name = new String(in, from + 1, i - from - 1, StandardCharsets.UTF_8);
                    out.writeBytes(vars.getOrDefault(name, "$(" + name + ")").getBytes(StandardCharsets.UTF_8));
                    return i - from + 1;
                }
            }
            out.writeBytes("$(".getBytes(StandardCharsets.UTF_8));
            return 1;
        }
        out.writeBytes(("$" + (char) (in[from] & 0xff)).getBytes(StandardCharsets.UTF_8)); // string(input[0]) in Go
        return 1;
    }
}
