package dev.minimalimage.dockerfile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.minimalimage.elf.ElfFormatException;
import dev.minimalimage.elf.ElfLinkAnalyzer;
import dev.minimalimage.elf.LinkReport;
import dev.minimalimage.elf.Verdict;

/**
 * The checks on a Dockerfile's final stage before it becomes an image: every ELF file in it read like a preset's
 * binary (static, or it would die on scratch), and the program the image starts (ENTRYPOINT, else the first word of
 * CMD) present and a runnable executable.
 */
public final class FinalStage {

    /** Where a runtime looks for a program named without a slash when the image sets no PATH (runc's default). */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** One file: its path in the image and, for an ELF file, the analyzer's report (null for any other file). */
    public record File(String path, LinkReport link) {
        public String verdict() {
            return link == null ? Verdict.NotElf.name() : link.verdict().name();
        }

        public boolean dynamic() {
            return link != null && !link.runnableOnScratch() && link.verdict() == Verdict.Dynamic;
        }
    }

    /** The files, and the program the image starts with its report ({@code program} null when none is runnable). */
    public record Verdicts(List<File> files, File program, String problem) {
        public List<File> dynamicFiles() {
            return files.stream().filter(File::dynamic).toList();
        }
    }

    private FinalStage() {
    }

    /** Reads every regular file under {@code root} (links are not followed) and checks the program to start. */
    public static Verdicts check(RootedFs root, DockerfilePlan.ImageSpec image) throws IOException {
        List<File> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root.root())) {
            for (Path path : (Iterable<Path>) walk.sorted()::iterator) {
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(new File(root.imagePath(path), isElf(path) ? analyze(path) : null));
                }
            }
        }
        List<String> argv = image.argv();
        if (argv.isEmpty()) {
            return new Verdicts(files, null, "the final stage sets neither ENTRYPOINT nor CMD, so the image would not"
                    + " know what to run: add ENTRYPOINT [\"/path/to/program\"]");
        }
        String program = argv.get(0);
        String found = locate(root, program, image);
        if (found == null) {
            String shellForm = program.equals("/bin/sh") ? " (the shell form of ENTRYPOINT/CMD runs /bin/sh, which"
                    + " scratch lacks: use the JSON form, ENTRYPOINT [\"/program\", \"arg\"])" : "";
            return new Verdicts(files, null, "the image starts " + program + ", which is not in the final stage"
                    + shellForm);
        }
        File file = files.stream().filter(f -> f.path().equals(found)).findFirst().orElse(null);
        if (file == null || file.link() == null) {
            return new Verdicts(files, null, "the image starts " + program + " (" + found + "), which is not an ELF"
                    + " executable; scratch has no interpreter for scripts");
        }
        if (file.link().verdict() == Verdict.NotRunnable) {
            return new Verdicts(files, null, "the image starts " + program + " (" + found + "), which is an ELF file"
                    + " the kernel cannot start: " + file.link().explanation());
        }
        int mode = (Integer) Files.getAttribute(root.resolve(found, true), "unix:mode") & 0111;
        if (mode == 0) {
            return new Verdicts(files, null, "the image starts " + program + " (" + found + "), which has no execute"
                    + " permission: COPY --chmod=755");
        }
        return new Verdicts(files, file, null);
    }

    /** The image path of the program, links resolved inside the root, as a runtime would find it; null if none. */
    private static String locate(RootedFs root, String program, DockerfilePlan.ImageSpec image) throws IOException {
        List<String> candidates = new ArrayList<>();
        if (program.startsWith("/")) {
            candidates.add(program);
        } else if (program.contains("/")) {
            String workingDir = image.workingDir() == null ? "/" : image.workingDir();
            candidates.add(workingDir + "/" + program);
        } else {
            String path = image.env().stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5))
                    .reduce((a, b) -> b).orElse(DEFAULT_PATH);
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    candidates.add(dir + "/" + program);
                }
            }
        }
        for (String candidate : candidates) {
            Path host = root.resolve(candidate, true);
            if (Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                return root.imagePath(host);
            }
        }
        return null;
    }

    private static boolean isElf(Path path) throws IOException {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(magic, 0, 4) == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L'
                    && magic[3] == 'F';
        }
    }

    /** The report; a damaged ELF file counts as not runnable rather than failing the whole check. */
    private static LinkReport analyze(Path path) throws IOException {
        try {
            return ElfLinkAnalyzer.analyze(path);
        } catch (ElfFormatException e) {
            return new LinkReport(Verdict.NotRunnable, "", "", "", "", null, List.of(), null, List.of(),
                    "not a valid ELF file: " + e.getMessage(), Files.size(path));
        }
    }
}
