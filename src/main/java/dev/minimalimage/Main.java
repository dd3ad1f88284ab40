package dev.minimalimage;

import dev.minimalimage.cli.MinimalImageCommand;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One jar, two lives: {@code operator} boots Quarkus and the reconciler (after picocli has answered --help and
 * checked that there is a cluster to connect to); every other command is a plain picocli program that never starts
 * Quarkus, so a builder pod's packaging step pays only for the JVM start.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        System.exit(MinimalImageCommand.run(args));
    }
}
