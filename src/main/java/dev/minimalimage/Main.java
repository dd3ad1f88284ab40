package dev.minimalimage;

import dev.minimalimage.cli.MinimalImageCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One jar, two lives: {@code operator} boots Quarkus and the reconciler; every other command is a plain picocli
 * program that never starts Quarkus, so a builder pod's packaging step pays only for the JVM start.
 */
@QuarkusMain
public class Main {

    public static final String OPERATOR_COMMAND = "operator";

    public static void main(String... args) {
        if (args.length > 0 && OPERATOR_COMMAND.equals(args[0])) {
            Quarkus.run(args);
            return;
        }
        System.exit(MinimalImageCommand.run(args));
    }
}
