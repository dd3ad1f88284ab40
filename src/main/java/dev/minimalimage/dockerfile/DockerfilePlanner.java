package dev.minimalimage.dockerfile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.minimalimage.dockerfile.DockerfileException.Kind;
import dev.minimalimage.dockerfile.DockerfilePlan.Base;
import dev.minimalimage.dockerfile.DockerfilePlan.Copy;
import dev.minimalimage.dockerfile.DockerfilePlan.ImageSpec;
import dev.minimalimage.dockerfile.DockerfilePlan.Run;
import dev.minimalimage.dockerfile.DockerfilePlan.Stage;
import dev.minimalimage.dockerfile.DockerfilePlan.Step;
import dev.minimalimage.dockerfile.DockerfilePlan.Workdir;

/**
 * Turns a parsed Dockerfile, build args and a target into a {@link DockerfilePlan} with the Dockerfile reference's
 * semantics (ARG scopes, ENV, WORKDIR, SHELL, the CMD/ENTRYPOINT rules), refuses what this builder cannot honour,
 * and enforces the product's rule: the final stage is FROM scratch, or FROM a stage that is.
 */
public final class DockerfilePlanner {

    /** The platform this builder builds for: the one its verification and its images know. */
    static final String PLATFORM = "linux/amd64";
    /** BuildKit's automatic platform ARGs (global scope; a stage sees one after declaring it with ARG NAME). */
    static final Map<String, String> PLATFORM_ARGS = Map.of("TARGETPLATFORM", PLATFORM, "TARGETOS", "linux",
            "TARGETARCH", "amd64", "TARGETVARIANT", "", "BUILDPLATFORM", PLATFORM, "BUILDOS", "linux",
            "BUILDARCH", "amd64", "BUILDVARIANT", "");
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    private static final Set<String> COPY_FLAGS = Set.of("from", "chown", "chmod", "link");
    private static final Set<String> ADD_FLAGS = Set.of("chown", "chmod", "link");

    private final ParsedDockerfile dockerfile;
    private final Map<String, String> buildArgs;
    private final Set<String> usedBuildArgs = new java.util.HashSet<>();
    private final Map<String, String> globalArgs = new LinkedHashMap<>(PLATFORM_ARGS);
    private final List<StageState> stages = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private DockerfilePlanner(ParsedDockerfile dockerfile, Map<String, String> buildArgs) {
        this.dockerfile = dockerfile;
        this.buildArgs = Map.copyOf(buildArgs);
    }

    /** The plan for {@code target} (a stage name; null: the last stage). */
    public static DockerfilePlan plan(ParsedDockerfile dockerfile, Map<String, String> buildArgs, String target)
            throws DockerfileException {
        DockerfilePlanner planner = new DockerfilePlanner(dockerfile, buildArgs);
        planner.readStages();
        return planner.planFor(target);
    }

    /** Parses and plans in one go. */
    public static DockerfilePlan plan(String text, Map<String, String> buildArgs, String target)
            throws DockerfileException {
        return plan(DockerfileParser.parse(text), buildArgs, target);
    }

    private void readStages() throws DockerfileException {
        StageState stage = null;
        for (Instruction instruction : dockerfile.instructions()) {
            if (instruction.keyword().equals("FROM")) {
                stage = from(instruction);
                stages.add(stage);
            } else if (stage == null) {
                if (!instruction.keyword().equals("ARG")) {
                    throw new DockerfileException(instruction.line(), 0, instruction.keyword()
                            + " before the first FROM: only ARG may come before it");
                }
                globalArg(instruction);
            } else {
                stage.apply(instruction);
            }
        }
        if (stages.isEmpty()) {
            throw new DockerfileException(0, 0, "no FROM instruction: a Dockerfile starts a stage with FROM");
        }
    }

    private DockerfilePlan planFor(String target) throws DockerfileException {
        StageState last = target == null ? stages.get(stages.size() - 1) : named(target);
        if (last == null) {
            throw new DockerfileException(Kind.UNSUPPORTED, 0, 0, "no stage named \"" + target + "\" (--target); the"
                    + " stages are " + String.join(", ", stages.stream().map(s -> s.label()).toList()));
        }
        checkScratch(last);
        Set<Integer> needed = new TreeSet<>();
        need(last, needed);
        List<Stage> planned = new ArrayList<>();
        for (int index : needed) {
            planned.add(stages.get(index).toStage());
        }
        // stages are always declared before they are used, so index order is a dependency order
        for (String unused : buildArgs.keySet()) {
            if (!usedBuildArgs.contains(unused)) {
                warnings.add("the build arg " + unused + " was not consumed: no ARG " + unused + " declares it");
            }
        }
        return new DockerfilePlan(planned, last.imageSpec(), warnings);
    }

    private void need(StageState stage, Set<Integer> needed) {
        if (!needed.add(stage.index)) {
            return;
        }
        if (stage.base.stage() != null) {
            need(stages.get(stage.base.stage()), needed);
        }
        for (Step step : stage.steps) {
            if (step instanceof Copy copy && copy.fromStage() != null) {
                need(stages.get(copy.fromStage()), needed);
            }
        }
    }

    /** The final stage, or the stage chain it starts from, must begin with scratch. */
    private void checkScratch(StageState last) throws DockerfileException {
        StageState stage = last;
        while (stage.base.stage() != null) {
            stage = stages.get(stage.base.stage());
        }
        if (!stage.base.scratch()) {
            String via = stage == last ? "" : " (through " + last.label() + ", FROM " + stage.label() + ")";
            throw new DockerfileException(Kind.FINAL_STAGE_NOT_SCRATCH, last.line, 0, "the final stage is FROM "
                    + stage.base.image() + via + ": the image would carry a distribution. Build in that stage, then"
                    + " start the final stage with FROM scratch and COPY --from=" + (stage.name != null ? stage.name
                            : String.valueOf(stage.index)) + " only the files the program needs");
        }
    }

    private StageState named(String name) {
        return stages.stream().filter(s -> name.equalsIgnoreCase(s.name)).findFirst().orElse(null);
    }

    private void globalArg(Instruction instruction) throws DockerfileException {
        for (Map.Entry<String, String> arg : argDeclarations(instruction, globalArgs).entrySet()) {
            String value = buildArgs.containsKey(arg.getKey()) ? buildArgs.get(arg.getKey()) : arg.getValue();
            if (buildArgs.containsKey(arg.getKey())) {
                usedBuildArgs.add(arg.getKey());
            }
            globalArgs.put(arg.getKey(), value);
        }
    }

    /** NAME or NAME=default, several per line; the defaults substituted; a null value: no default. */
    private Map<String, String> argDeclarations(Instruction instruction, Map<String, String> variables)
            throws DockerfileException {
        Map<String, String> declared = new LinkedHashMap<>();
        List<String> words = words(instruction, variables);
        if (words.isEmpty()) {
            throw new DockerfileException(instruction.line(), 0, "ARG needs a name: ARG NAME or ARG NAME=default");
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            if (!validName(name)) {
                throw new DockerfileException(instruction.line(), instruction.textColumn(), "ARG \"" + name
                        + "\" is not a valid name (letters, digits and _, not starting with a digit)");
            }
            declared.put(name, eq < 0 ? null : word.substring(eq + 1));
        }
        return declared;
    }

    private StageState from(Instruction instruction) throws DockerfileException {
        checkFlags(instruction, Set.of("platform"));
        Map<String, String> scope = new HashMap<>();
        globalArgs.forEach((k, v) -> {
            if (v != null) {
                scope.put(k, v);
            }
        });
        List<String> words = words(instruction, scope);
        String platform = null;
        if (instruction.flags().containsKey("platform")) {
            platform = ShellWords.word(instruction.flags().get("platform"), scope, dockerfile.escape(),
                    instruction.line(), 0);
            if (!platform.equals(PLATFORM)) {
                throw DockerfileException.unsupported(instruction, "--platform=" + platform + ": this builder builds"
                        + " for " + PLATFORM + " only (its verification and run checks are for that platform)");
            }
        }
        String name = null;
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
            name = words.get(2).toLowerCase(Locale.ROOT);
            checkStageName(instruction, name);
        } else if (words.size() != 1) {
            throw new DockerfileException(instruction.line(), instruction.textColumn(),
                    "FROM takes an image and optionally AS name: FROM IMAGE [AS NAME]");
        }
        String image = words.get(0);
        if (image.isEmpty()) {
            throw new DockerfileException(instruction.line(), instruction.textColumn(),
                    "FROM names an empty image (an ARG without a value?)");
        }
        Base base;
        StageState parent = named(image);
        if (parent != null) {
            base = new Base(false, parent.index, null, platform);
        } else if (image.equalsIgnoreCase("scratch")) {
            base = Base.ofScratch(platform);
        } else {
            base = new Base(false, null, image, platform);
        }
        return new StageState(stages.size(), name, instruction.line(), base, parent);
    }

    private void checkStageName(Instruction instruction, String name) throws DockerfileException {
        boolean valid = !name.isEmpty() && Character.isLetter(name.charAt(0)) && name.chars().allMatch(
                c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.');
        if (!valid) {
            throw new DockerfileException(instruction.line(), instruction.textColumn(), "stage name \"" + name
                    + "\" is invalid: letters, digits, -, _ and ., starting with a letter");
        }
        if (named(name) != null) {
            throw new DockerfileException(instruction.line(), instruction.textColumn(), "stage name \"" + name
                    + "\" is used twice");
        }
    }

    private static void checkFlags(Instruction instruction, Set<String> allowed) throws DockerfileException {
        for (String flag : instruction.flags().keySet()) {
            if (!allowed.contains(flag)) {
                throw DockerfileException.unsupported(instruction, "the flag --" + flag + " is not supported here"
                        + (allowed.isEmpty() ? "" : " (supported: --" + String.join(", --", new TreeSet<>(allowed))
                                + ")"));
            }
        }
    }

    private List<String> words(Instruction instruction, Map<String, String> variables) throws DockerfileException {
        if (instruction.execForm()) {
            List<String> words = new ArrayList<>();
            for (String element : instruction.json()) {
                words.add(ShellWords.word(element, variables, dockerfile.escape(), instruction.line(), 0));
            }
            return words;
        }
        return ShellWords.words(instruction.text(), variables, dockerfile.escape(), instruction.line(),
                instruction.textColumn());
    }

    private static boolean validName(String name) {
        return !name.isEmpty() && !Character.isDigit(name.charAt(0))
                && name.chars().allMatch(c -> c == '_' || c < 128 && Character.isLetterOrDigit(c));
    }

    /** One stage while its instructions are read: the state docker keeps while it builds. */
    private final class StageState {
        final int index;
        final String name;
        final int line;
        final Base base;
        final List<Step> steps = new ArrayList<>();
        final Map<String, String> args = new LinkedHashMap<>();
        final Map<String, String> env;
        String workingDir;
        String user;
        List<String> shell;
        List<String> entrypoint;
        List<String> cmd;
        boolean cmdSetHere;
        final Set<String> ports;
        final Map<String, String> labels;
        String stopSignal;

        StageState(int index, String name, int line, Base base, StageState parent) {
            this.index = index;
            this.name = name;
            this.line = line;
            this.base = base;
            env = parent == null ? new LinkedHashMap<>() : new LinkedHashMap<>(parent.env);
            workingDir = parent == null ? null : parent.workingDir;
            user = parent == null ? null : parent.user;
            shell = parent == null ? DEFAULT_SHELL : parent.shell;
            entrypoint = parent == null ? List.of() : parent.entrypoint;
            cmd = parent == null ? List.of() : parent.cmd;
            ports = parent == null ? new TreeSet<>() : new TreeSet<>(parent.ports);
            labels = parent == null ? new TreeMap<>() : new TreeMap<>(parent.labels);
            stopSignal = parent == null ? null : parent.stopSignal;
        }

        String label() {
            return name != null ? name : "stage " + index;
        }

        /** ARGs, then ENV over them: ENV wins where both set a name, as the reference says. */
        Map<String, String> variables() {
            Map<String, String> variables = new HashMap<>();
            args.forEach((k, v) -> {
                if (v != null) {
                    variables.put(k, v);
                }
            });
            variables.putAll(env);
            return variables;
        }

        void apply(Instruction instruction) throws DockerfileException {
            switch (instruction.keyword()) {
                case "ARG" -> arg(instruction);
                case "ENV" -> pairs(instruction, env, true);
                case "LABEL" -> pairs(instruction, labels, false);
                case "MAINTAINER" -> {
                    checkFlags(instruction, Set.of());
                    labels.put("maintainer", instruction.text());
                }
                case "WORKDIR" -> workdir(instruction);
                case "USER" -> user = single(instruction, "USER takes one user[:group]");
                case "STOPSIGNAL" -> stopSignal = single(instruction, "STOPSIGNAL takes one signal");
                case "EXPOSE" -> expose(instruction);
                case "SHELL" -> shell(instruction);
                case "CMD" -> {
                    cmd = command(instruction);
                    cmdSetHere = true;
                }
                case "ENTRYPOINT" -> {
                    entrypoint = command(instruction);
                    if (!cmdSetHere) {
                        cmd = List.of(); // an ENTRYPOINT resets the CMD a base stage set
                    }
                }
                case "RUN" -> run(instruction);
                case "COPY" -> copy(instruction, false);
                case "ADD" -> copy(instruction, true);
                case "ONBUILD" -> throw DockerfileException.unsupported(instruction, "triggers for images built"
                        + " FROM this one make no sense for a FROM-scratch program image; remove the line");
                case "VOLUME" -> throw DockerfileException.unsupported(instruction, "not supported: declare the"
                        + " volume in the Pod (volumes and volumeMounts) instead; remove the line");
                case "HEALTHCHECK" -> throw DockerfileException.unsupported(instruction, "not supported: Kubernetes"
                        + " ignores it; use a livenessProbe or readinessProbe in the Pod; remove the line");
                default -> throw new DockerfileException(instruction.line(), 0, "FROM inside a stage");
            }
        }

        private void arg(Instruction instruction) throws DockerfileException {
            checkFlags(instruction, Set.of());
            for (Map.Entry<String, String> arg : argDeclarations(instruction, variables()).entrySet()) {
                String key = arg.getKey();
                String value = arg.getValue();
                if (buildArgs.containsKey(key)) {
                    usedBuildArgs.add(key);
                    value = buildArgs.get(key);
                } else if (value == null) {
                    value = globalArgs.get(key); // a global ARG (or a platform ARG) brought into the stage
                }
                args.put(key, value);
            }
        }

        /** KEY=VALUE pairs (ENV also takes the old "ENV KEY the value"); values see the variables before this line. */
        private void pairs(Instruction instruction, Map<String, String> into, boolean legacyForm)
                throws DockerfileException {
            checkFlags(instruction, Set.of());
            Map<String, String> variables = variables();
            String text = instruction.text();
            int blank = indexOfBlank(text);
            String firstWord = blank < 0 ? text : text.substring(0, blank);
            if (legacyForm && !firstWord.contains("=")) {
                if (blank < 0) {
                    throw new DockerfileException(instruction.line(), instruction.textColumn(), instruction.keyword()
                            + " needs a value: " + instruction.keyword() + " NAME=VALUE");
                }
                into.put(checkedKey(instruction, ShellWords.word(firstWord, variables, dockerfile.escape(),
                        instruction.line(), instruction.textColumn())), ShellWords.word(text.substring(blank).strip(),
                                variables, dockerfile.escape(), instruction.line(), 0));
                return;
            }
            List<String> words = ShellWords.words(text, variables, dockerfile.escape(), instruction.line(),
                    instruction.textColumn());
            if (words.isEmpty()) {
                throw new DockerfileException(instruction.line(), 0, instruction.keyword() + " needs KEY=VALUE");
            }
            for (String word : words) {
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    throw new DockerfileException(instruction.line(), instruction.textColumn(), instruction.keyword()
                            + " takes KEY=VALUE pairs; \"" + word + "\" has no =");
                }
                into.put(checkedKey(instruction, word.substring(0, eq)), word.substring(eq + 1));
            }
        }

        private String checkedKey(Instruction instruction, String key) throws DockerfileException {
            if (key.isEmpty()) {
                throw new DockerfileException(instruction.line(), instruction.textColumn(), instruction.keyword()
                        + " has an empty name");
            }
            return key;
        }

        private void workdir(Instruction instruction) throws DockerfileException {
            String path = single(instruction, "WORKDIR takes one path");
            workingDir = absolute(path);
            steps.add(new Workdir(instruction.line(), workingDir));
        }

        /** Relative paths are relative to the stage's working directory, as docker resolves them. */
        private String absolute(String path) {
            String base = workingDir == null ? "/" : workingDir;
            String joined = path.startsWith("/") ? path : base + (base.endsWith("/") ? "" : "/") + path;
            return normalize(joined);
        }

        private String single(Instruction instruction, String usage) throws DockerfileException {
            checkFlags(instruction, Set.of());
            List<String> words = words(instruction, variables());
            if (words.size() != 1 || words.get(0).isEmpty()) {
                throw new DockerfileException(instruction.line(), instruction.textColumn(), usage);
            }
            return words.get(0);
        }

        private void expose(Instruction instruction) throws DockerfileException {
            checkFlags(instruction, Set.of());
            for (String word : words(instruction, variables())) {
                ports.addAll(Ports.parse(word, instruction));
            }
        }

        private void shell(Instruction instruction) throws DockerfileException {
            checkFlags(instruction, Set.of());
            if (!instruction.execForm() || instruction.json().isEmpty()) {
                throw new DockerfileException(instruction.line(), instruction.textColumn(),
                        "SHELL takes the JSON form: SHELL [\"executable\", \"parameters\"]");
            }
            shell = instruction.json();
        }

        private List<String> command(Instruction instruction) throws DockerfileException {
            checkFlags(instruction, Set.of());
            if (instruction.execForm()) {
                return instruction.json();
            }
            if (instruction.text().isEmpty()) {
                return List.of();
            }
            List<String> argv = new ArrayList<>(shell);
            argv.add(instruction.text());
            return argv;
        }

        private void run(Instruction instruction) throws DockerfileException {
            checkFlags(instruction, Set.of("network", "mount", "security"));
            if (instruction.flags().containsKey("mount")) {
                throw DockerfileException.unsupported(instruction, "--mount=" + instruction.flags().get("mount")
                        .replace('\n', ' ') + ": no mount type is supported (cache, bind, secret, ssh, tmpfs):"
                        + " COPY what the step needs instead");
            }
            if (instruction.flags().containsKey("security")) {
                throw DockerfileException.unsupported(instruction, "--security=" + instruction.flags()
                        .get("security") + ": build steps never get extra privileges here");
            }
            String network = instruction.flags().getOrDefault("network", "default");
            if (!network.equals("default") && !network.equals("none")) {
                throw DockerfileException.unsupported(instruction, "--network=" + network + ": only default and none");
            }
            Map<String, String> environment = new LinkedHashMap<>();
            args.forEach((k, v) -> {
                if (v != null) {
                    environment.put(k, v);
                }
            });
            environment.putAll(env);
            steps.add(new Run(instruction.line(), runArgv(instruction), environment,
                    workingDir == null ? "/" : workingDir, user, network.equals("default")));
        }

        /** The exec form as written; the shell form (and a RUN of heredocs) through the stage's SHELL. */
        private List<String> runArgv(Instruction instruction) throws DockerfileException {
            if (instruction.execForm()) {
                if (instruction.json().isEmpty()) {
                    throw new DockerfileException(instruction.line(), instruction.textColumn(), "RUN [] runs nothing");
                }
                return instruction.json();
            }
            String script = instruction.text();
            if (!instruction.heredocs().isEmpty()) {
                Instruction.Heredoc first = instruction.heredocs().get(0);
                boolean onlyHeredoc = instruction.heredocs().size() == 1 && script.replace("-", "").replace("\"", "")
                        .replace("'", "").equals("<<" + first.name());
                script = onlyHeredoc ? first.body() : withHeredocBodies(script, instruction.heredocs());
            }
            if (script.isBlank()) {
                throw new DockerfileException(instruction.line(), 0, "RUN has no command");
            }
            List<String> argv = new ArrayList<>(shell);
            argv.add(script);
            return argv;
        }

        /** The shell reads the heredocs itself: the command line, then each body and its terminator. */
        private String withHeredocBodies(String script, List<Instruction.Heredoc> heredocs) {
            StringBuilder text = new StringBuilder(script).append('\n');
            for (Instruction.Heredoc heredoc : heredocs) {
                text.append(heredoc.body()).append(heredoc.name()).append('\n');
            }
            return text.toString();
        }

        private void copy(Instruction instruction, boolean add) throws DockerfileException {
            checkFlags(instruction, add ? ADD_FLAGS : COPY_FLAGS);
            Map<String, String> variables = variables();
            List<String> words = words(instruction, variables);
            if (words.size() < 2) {
                throw new DockerfileException(instruction.line(), instruction.textColumn(), instruction.keyword()
                        + " takes at least one source and a destination: " + instruction.keyword() + " SRC... DEST");
            }
            String rawDestination = words.get(words.size() - 1);
            List<String> sources = new ArrayList<>(words.subList(0, words.size() - 1));
            String content = null;
            if (!instruction.heredocs().isEmpty()) {
                if (instruction.heredocs().size() != 1 || sources.size() != 1) {
                    throw DockerfileException.unsupported(instruction, "only one heredoc as the only source");
                }
                Instruction.Heredoc heredoc = instruction.heredocs().get(0);
                content = heredoc.expand() ? ShellWords.word(heredoc.body(), variables, '\u0000', instruction.line(),
                        0) : heredoc.body();
                sources = List.of();
            }
            for (String source : sources) {
                if (add && isRemote(source)) {
                    throw DockerfileException.unsupported(instruction, source + ": remote sources (URLs, git) are"
                            + " not fetched here; put the file in the build context and COPY it");
                }
            }
            Integer fromStage = null;
            String fromImage = null;
            String from = instruction.flags().get("from");
            if (from != null) {
                from = ShellWords.word(from, variables, dockerfile.escape(), instruction.line(), 0);
                fromStage = stageReference(instruction, from);
                fromImage = fromStage == null ? from : null;
            }
            String chown = instruction.flags().containsKey("chown") ? ShellWords.word(instruction.flags().get("chown"),
                    variables, dockerfile.escape(), instruction.line(), 0) : null;
            Integer chmod = instruction.flags().containsKey("chmod") ? chmod(instruction) : null;
            boolean intoDirectory = rawDestination.endsWith("/") || sources.size() > 1
                    || rawDestination.equals(".");
            steps.add(new Copy(instruction.line(), add, sources, content, fromStage, fromImage,
                    withoutTrailingSlash(absolute(rawDestination)), intoDirectory, chown, chmod));
        }

        /** --from=NAME or --from=INDEX of an earlier stage: its index; null when it names an image. */
        private Integer stageReference(Instruction instruction, String from) throws DockerfileException {
            StageState named = named(from);
            if (named != null) {
                return named.index;
            }
            if (!from.isEmpty() && from.chars().allMatch(Character::isDigit)) {
                int index = from.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(from);
                if (index >= this.index) {
                    throw new DockerfileException(instruction.line(), 0, "--from=" + from + " names stage " + from
                            + ", which is not an earlier stage (this is stage " + this.index + ")");
                }
                return index;
            }
            if (from.isEmpty()) {
                throw new DockerfileException(instruction.line(), 0, "--from= is empty");
            }
            return null;
        }

        private Integer chmod(Instruction instruction) throws DockerfileException {
            String mode = instruction.flags().get("chmod");
            boolean octal = !mode.isEmpty() && mode.length() <= 4 && mode.chars().allMatch(c -> c >= '0' && c <= '7');
            if (!octal) {
                throw DockerfileException.unsupported(instruction, "--chmod=" + mode + ": only octal modes (e.g."
                        + " --chmod=755) are supported");
            }
            return Integer.parseInt(mode, 8);
        }

        Stage toStage() {
            return new Stage(index, name, line, base, steps);
        }

        ImageSpec imageSpec() {
            List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            return new ImageSpec(entrypoint, cmd, envList, workingDir, user, new TreeSet<>(ports), new TreeMap<>(labels),
                    stopSignal);
        }
    }

    static boolean isRemote(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("git@")
                || lower.startsWith("git://") || lower.startsWith("ssh://");
    }

    private static String withoutTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static int indexOfBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' || text.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    /** "/a/./b/../c/" as "/a/c/": the path docker would use ("/" stays "/"). Keeps a trailing slash. */
    public static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        String joined = "/" + String.join("/", parts);
        return path.endsWith("/") && !joined.equals("/") ? joined + "/" : joined;
    }

}
