package dev.minimalimage.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** --build-arg NAME=VALUE options as the map the Dockerfile planner takes (the last of one name wins, as docker). */
final class BuildArgs {

    private BuildArgs() {
    }

    static Map<String, String> parse(List<String> assignments) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--build-arg must be NAME=VALUE: " + assignment);
            }
            args.put(assignment.substring(0, eq), assignment.substring(eq + 1));
        }
        return args;
    }
}
