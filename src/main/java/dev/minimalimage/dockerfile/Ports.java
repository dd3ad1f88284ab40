package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** EXPOSE's PORT[/PROTOCOL] and START-END[/PROTOCOL], as the keys of an image config's ExposedPorts ("80/tcp"). */
final class Ports {

    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");
    /** A range wider than this is a typo rather than a design: the config would list every port of it. */
    private static final int MAX_RANGE = 1024;

    private Ports() {
    }

    static List<String> parse(String word, Instruction instruction) throws DockerfileException {
        int slash = word.indexOf('/');
        String protocol = slash < 0 ? "tcp" : word.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
        String range = slash < 0 ? word : word.substring(0, slash);
        if (!PROTOCOLS.contains(protocol)) {
            throw invalid(instruction, word, "the protocol must be tcp, udp or sctp");
        }
        int dash = range.indexOf('-');
        int first = port(dash < 0 ? range : range.substring(0, dash), instruction, word);
        int last = dash < 0 ? first : port(range.substring(dash + 1), instruction, word);
        if (last < first || last - first >= MAX_RANGE) {
            throw invalid(instruction, word, "a range runs from a lower to a higher port, at most " + MAX_RANGE
                    + " ports");
        }
        List<String> ports = new ArrayList<>();
        for (int port = first; port <= last; port++) {
            ports.add(port + "/" + protocol);
        }
        return ports;
    }

    private static int port(String digits, Instruction instruction, String word) throws DockerfileException {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(Character::isDigit)) {
            throw invalid(instruction, word, "not a port number");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw invalid(instruction, word, "ports run from 1 to 65535");
        }
        return port;
    }

    private static DockerfileException invalid(Instruction instruction, String word, String why) {
        return new DockerfileException(instruction.line(), instruction.textColumn(), "EXPOSE " + word + ": " + why);
    }
}
