package dev.minimalimage;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.minimalimage.cli.MinimalImageCommand;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One program, two images: in the operator image (the Quarkus application) {@code operator} boots Quarkus and the
 * reconciler (after picocli has answered --help and checked that there is a cluster to connect to); every other
 * command is a plain picocli program that never starts Quarkus. The builder image runs this class from a plain jar
 * without Quarkus on the class path (scripts/image.sh --component builder), so a builder pod's steps pay only for
 * the JVM start.
 */
@QuarkusMain
public class Main {

    /** The JUL manager Quarkus' launcher installs; the builder's plain jar has no launcher to do it. */
    static final String LOG_MANAGER = "org.jboss.logmanager.LogManager";

    public static void main(String... args) {
        useJBossLogManager();
        System.exit(MinimalImageCommand.run(args));
    }

    /**
     * JGit and sshd log through SLF4J to JBoss LogManager in both images; it must also be java.util.logging's manager
     * before anything logs, or its first use prints an ERROR about the manager to every step's log.
     */
    static void useJBossLogManager() {
        if (System.getProperty("java.util.logging.manager") == null
                && Main.class.getClassLoader().getResource(LOG_MANAGER.replace('.', '/') + ".class") != null) {
            System.setProperty("java.util.logging.manager", LOG_MANAGER);
        }
    }

    /**
     * The start-up archive's training run (scripts/image.sh): several commands in one JVM, since the JVM records one
     * archive per run and a builder pod runs fetch, stage-runtime and package in separate ones. The file holds one
     * command per line, its arguments separated by tabs. Every command must succeed: an archive trained on an error
     * path would miss the classes of the real work.
     */
    public static final class Training {

        private Training() {
        }

        public static void main(String... args) throws IOException {
            useJBossLogManager();
            List<String> commands = Files.readAllLines(Path.of(args[0]));
            for (String command : commands) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int exit = MinimalImageCommand.run(new PrintWriter(out, true), new PrintWriter(err, true),
                        command.split("\t"));
                System.out.println("training: exit " + exit + ": " + command.replace('\t', ' '));
                if (exit != 0) {
                    System.out.println(out);
                    System.out.println(err);
                    System.exit(1);
                }
            }
            // the first record logged in a JVM loads the log manager's providers: a step that logs (JGit and sshd
            // warn through SLF4J) must find them in the builder image, whose classes are the training's
            org.slf4j.LoggerFactory.getLogger(Training.class).warn("training: {} commands done", commands.size());
        }
    }
}
