package dev.minimalimage.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import dev.minimalimage.api.v1alpha1.CoreTypeSchemas.ConditionSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MinimalImageStatus {

    public enum Phase { Queued, Pending, Building, Succeeded, Failed }

    @JsonPropertyDescription("metadata.generation this status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("Queued (waiting for a build slot), Pending, Building, Succeeded or Failed.")
    private Phase phase;
    @SchemaFrom(type = ConditionSchema[].class)
    @JsonPropertyDescription("Ready plus one condition per stage: SourceFetched, Compiled, LinkVerified, Pushed; and SmokeTested"
            + " when spec.verify.smokeTest is set.")
    private List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("The pushed image by digest (registry/repository@sha256:...).")
    private String imageRef;
    @JsonPropertyDescription("Manifest digest of the pushed image.")
    private String digest;
    @JsonPropertyDescription("The debug twin (spec.image.debugTag) by digest, when one was pushed.")
    private String debugImage;
    @JsonPropertyDescription("First 12 hex digits of the digest, for kubectl get.")
    private String shortDigest;
    @JsonPropertyDescription("Bytes the registry stores for the image: manifest + config + layers.")
    private Long compressedSize;
    @JsonPropertyDescription("Bytes of the uncompressed layer.")
    private Long uncompressedSize;
    @JsonPropertyDescription("Bytes of the binary.")
    private Long binarySize;
    @JsonPropertyDescription("What the ELF link analysis found.")
    private LinkStatus link;
    @JsonPropertyDescription("The SBOM pushed with the image as an OCI 1.1 referrer of its manifest (in the image's"
            + " repository; see docs/sbom.md for finding it from the digest).")
    private SbomStatus sbom;
    @JsonPropertyDescription("Resolved git commit that was built.")
    private String sourceCommit;
    @JsonPropertyDescription("Name of the builder pod of the current build.")
    private String builderPod;
    @JsonPropertyDescription("Hash of the build inputs of the current build.")
    private String buildHash;
    @JsonPropertyDescription("UID of the builder pod, to notice when it was deleted and recreated.")
    private String builderPodUid;
    @JsonPropertyDescription("Builder pods started for the current inputs: 1 for the first; a recoverable fault (an"
            + " eviction, a vanished pod, an unreadable result) starts another after a back-off, up to the operator's"
            + " limit.")
    private Integer attempts;
    @JsonPropertyDescription("When the next attempt starts, while a recoverable fault waits out its back-off (RFC 3339).")
    private String nextAttemptTime;
    @JsonPropertyDescription("Since when an image pull of the current builder pod has been failing (RFC 3339); the"
            + " build fails once this is older than spec.build.pullTimeout.")
    private String pullFailingSince;
    @JsonPropertyDescription("The commit the tracked branch pointed at when last polled (spec.source.git.pollInterval).")
    private String trackedCommit;
    @JsonPropertyDescription("When the tracked branch was last polled (RFC 3339).")
    private String lastPollTime;
    @JsonPropertyDescription("When the current build's pod was created (RFC 3339).")
    private String startTime;
    @JsonPropertyDescription("When the current build finished (RFC 3339).")
    private String completionTime;
    @JsonPropertyDescription("The smoke test of the pushed image (spec.verify.smokeTest), once it started.")
    private SmokeTestStatus smokeTest;

    @JsonPropertyDescription("spec.dockerfile: the files of the final stage with their verdicts (Static, StaticPie,"
            + " Dynamic, NotElf...), dynamic ones first; the first ones only when filesCapped is true.")
    private List<FileStatus> files;

    @JsonPropertyDescription("True when files lists only the first of the final stage's files.")
    private Boolean filesCapped;

    @JsonPropertyDescription("spec.platforms with several platforms: one entry per platform image of the index that"
            + " digest names, in the spec's order. digest is then the index's, compressedSize the bytes of the index"
            + " and every platform's image together, link the first platform's verdict (docs/platforms.md).")
    private List<PlatformStatus> platforms;

    @JsonPropertyDescription("spec.dockerfile with a git source: the Dockerfile the operator planned the build from, as"
            + " a first builder pod fetched it (the build then checks out exactly that commit).")
    private ResolvedDockerfile dockerfile;

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public Phase getPhase() { return phase; }
    public void setPhase(Phase phase) { this.phase = phase; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    public String getImageRef() { return imageRef; }
    public void setImageRef(String imageRef) { this.imageRef = imageRef; }
    public String getDebugImage() { return debugImage; }
    public void setDebugImage(String debugImage) { this.debugImage = debugImage; }
    public String getDigest() { return digest; }
    public void setDigest(String digest) { this.digest = digest; }
    public String getShortDigest() { return shortDigest; }
    public void setShortDigest(String shortDigest) { this.shortDigest = shortDigest; }
    public Long getCompressedSize() { return compressedSize; }
    public void setCompressedSize(Long compressedSize) { this.compressedSize = compressedSize; }
    public Long getUncompressedSize() { return uncompressedSize; }
    public void setUncompressedSize(Long uncompressedSize) { this.uncompressedSize = uncompressedSize; }
    public Long getBinarySize() { return binarySize; }
    public void setBinarySize(Long binarySize) { this.binarySize = binarySize; }
    public LinkStatus getLink() { return link; }
    public void setLink(LinkStatus link) { this.link = link; }
    public List<PlatformStatus> getPlatforms() { return platforms; }
    public void setPlatforms(List<PlatformStatus> platforms) { this.platforms = platforms; }
    public SbomStatus getSbom() { return sbom; }
    public void setSbom(SbomStatus sbom) { this.sbom = sbom; }
    public String getSourceCommit() { return sourceCommit; }
    public void setSourceCommit(String sourceCommit) { this.sourceCommit = sourceCommit; }
    public String getBuilderPod() { return builderPod; }
    public void setBuilderPod(String builderPod) { this.builderPod = builderPod; }
    public String getBuildHash() { return buildHash; }
    public void setBuildHash(String buildHash) { this.buildHash = buildHash; }
    public String getBuilderPodUid() { return builderPodUid; }
    public void setBuilderPodUid(String builderPodUid) { this.builderPodUid = builderPodUid; }
    public Integer getAttempts() { return attempts; }
    public void setAttempts(Integer attempts) { this.attempts = attempts; }
    public String getNextAttemptTime() { return nextAttemptTime; }
    public void setNextAttemptTime(String nextAttemptTime) { this.nextAttemptTime = nextAttemptTime; }
    public String getPullFailingSince() { return pullFailingSince; }
    public void setPullFailingSince(String pullFailingSince) { this.pullFailingSince = pullFailingSince; }
    public String getTrackedCommit() { return trackedCommit; }
    public void setTrackedCommit(String trackedCommit) { this.trackedCommit = trackedCommit; }
    public String getLastPollTime() { return lastPollTime; }
    public void setLastPollTime(String lastPollTime) { this.lastPollTime = lastPollTime; }
    public String getStartTime() { return startTime; }
    public void setStartTime(String startTime) { this.startTime = startTime; }
    public String getCompletionTime() { return completionTime; }
    public void setCompletionTime(String completionTime) { this.completionTime = completionTime; }
    public ResolvedDockerfile getDockerfile() { return dockerfile; }
    public void setDockerfile(ResolvedDockerfile dockerfile) { this.dockerfile = dockerfile; }
    public List<FileStatus> getFiles() { return files; }
    public void setFiles(List<FileStatus> files) { this.files = files; }
    public Boolean getFilesCapped() { return filesCapped; }
    public void setFilesCapped(Boolean filesCapped) { this.filesCapped = filesCapped; }
    public SmokeTestStatus getSmokeTest() { return smokeTest; }
    public void setSmokeTest(SmokeTestStatus smokeTest) { this.smokeTest = smokeTest; }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SmokeTestStatus {
        @JsonPropertyDescription("Name of the smoke-test pod.")
        private String pod;
        @JsonPropertyDescription("The program's exit code, once it exited.")
        private Integer exitCode;
        @JsonPropertyDescription("The numeric user the program ran as.")
        private Long runAsUser;
        @JsonPropertyDescription("The numeric group the program ran as, when spec.image.user names one; else the"
                + " runtime's choice (the gid of the user's entry in the image's /etc/passwd, else 0).")
        private Long runAsGroup;
        @JsonPropertyDescription("True when the image's user is root (0): the smoke test ran as 65532 instead, since"
                + " Pod Security restricted forbids root.")
        private Boolean rootReplaced;
        @JsonPropertyDescription("The last lines of the program's output (at most about 1 KiB, URL credentials masked).")
        private String output;

        public String getPod() { return pod; }
        public void setPod(String pod) { this.pod = pod; }
        public Integer getExitCode() { return exitCode; }
        public void setExitCode(Integer exitCode) { this.exitCode = exitCode; }
        public Long getRunAsUser() { return runAsUser; }
        public void setRunAsUser(Long runAsUser) { this.runAsUser = runAsUser; }
        public Long getRunAsGroup() { return runAsGroup; }
        public void setRunAsGroup(Long runAsGroup) { this.runAsGroup = runAsGroup; }
        public Boolean getRootReplaced() { return rootReplaced; }
        public void setRootReplaced(Boolean rootReplaced) { this.rootReplaced = rootReplaced; }
        public String getOutput() { return output; }
        public void setOutput(String output) { this.output = output; }
    }

    /** A git source's Dockerfile as fetched, with what it was fetched for. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ResolvedDockerfile {
        @JsonPropertyDescription("The source inputs it was fetched for (a hash); other inputs fetch it again.")
        private String source;
        @JsonPropertyDescription("The commit it was read at.")
        private String commit;
        @JsonPropertyDescription("The Dockerfile's text.")
        private String text;

        public ResolvedDockerfile() {
        }

        public ResolvedDockerfile(String source, String commit, String text) {
            this.source = source;
            this.commit = commit;
            this.text = text;
        }

        public String getSource() { return source; }
        public void setSource(String source) { this.source = source; }
        public String getCommit() { return commit; }
        public void setCommit(String commit) { this.commit = commit; }
        public String getText() { return text; }
        public void setText(String text) { this.text = text; }
    }

    /** One file of a Dockerfile's final stage. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class FileStatus {
        @JsonPropertyDescription("Its path in the image.")
        private String path;
        @JsonPropertyDescription("Static, StaticPie, Dynamic, NotRunnable or NotElf.")
        private String verdict;
        @JsonPropertyDescription("A dynamic file: the shared libraries it needs (the first ones).")
        private List<String> needed;

        public FileStatus() {
        }

        public FileStatus(String path, String verdict, List<String> needed) {
            this.path = path;
            this.verdict = verdict;
            this.needed = needed;
        }

        public String getPath() { return path; }
        public void setPath(String path) { this.path = path; }
        public String getVerdict() { return verdict; }
        public void setVerdict(String verdict) { this.verdict = verdict; }
        public List<String> getNeeded() { return needed; }
        public void setNeeded(List<String> needed) { this.needed = needed; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LinkStatus {
        @JsonPropertyDescription("Static, StaticPie, Dynamic, NotRunnable or NotElf.")
        private String verdict;
        @JsonPropertyDescription("musl, glibc, none or unknown.")
        private String libc;
        @JsonPropertyDescription("ELF machine, e.g. x86-64.")
        private String machine;
        @JsonPropertyDescription("Program interpreter (PT_INTERP), if any.")
        private String interpreter;
        @JsonPropertyDescription("Shared libraries the binary needs (DT_NEEDED).")
        private List<String> needed;
        @JsonPropertyDescription("Runtime hazards of a statically linked glibc (nss, dlopen, iconv).")
        private List<String> hazards;
        @JsonPropertyDescription("Why this verdict.")
        private String explanation;
        @JsonPropertyDescription("Bundle mode: the loader, libraries and name-service files shipped with the binary,"
                + " at their paths in the image (the first ones; bundledCapped says when more were left out).")
        private List<String> bundled;
        @JsonPropertyDescription("True when bundled lists only the first of the bundled files.")
        private Boolean bundledCapped;
        @JsonPropertyDescription("Bundle mode: bytes of the bundled library files (uncompressed).")
        private Long bundleBytes;

        public String getVerdict() { return verdict; }
        public void setVerdict(String verdict) { this.verdict = verdict; }
        public String getLibc() { return libc; }
        public void setLibc(String libc) { this.libc = libc; }
        public String getMachine() { return machine; }
        public void setMachine(String machine) { this.machine = machine; }
        public String getInterpreter() { return interpreter; }
        public void setInterpreter(String interpreter) { this.interpreter = interpreter; }
        public List<String> getNeeded() { return needed; }
        public void setNeeded(List<String> needed) { this.needed = needed; }
        public List<String> getHazards() { return hazards; }
        public void setHazards(List<String> hazards) { this.hazards = hazards; }
        public String getExplanation() { return explanation; }
        public void setExplanation(String explanation) { this.explanation = explanation; }
        public List<String> getBundled() { return bundled; }
        public void setBundled(List<String> bundled) { this.bundled = bundled; }
        public Boolean getBundledCapped() { return bundledCapped; }
        public void setBundledCapped(Boolean bundledCapped) { this.bundledCapped = bundledCapped; }
        public Long getBundleBytes() { return bundleBytes; }
        public void setBundleBytes(Long bundleBytes) { this.bundleBytes = bundleBytes; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SbomStatus {
        @JsonPropertyDescription("Digest of the SBOM document (the referrer's one layer).")
        private String digest;
        @JsonPropertyDescription("Its format, e.g. CycloneDX 1.6.")
        private String format;
        @JsonPropertyDescription("How many components it lists.")
        private Integer components;

        public String getDigest() { return digest; }
        public void setDigest(String digest) { this.digest = digest; }
        public String getFormat() { return format; }
        public void setFormat(String format) { this.format = format; }
        public Integer getComponents() { return components; }
        public void setComponents(Integer components) { this.components = components; }
    }

    /** One platform's image of a multi-platform index. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PlatformStatus {
        @JsonPropertyDescription("The platform, os/architecture, e.g. linux/arm64.")
        private String platform;
        @JsonPropertyDescription("The digest of this platform's image manifest (in the index status.digest names).")
        private String digest;
        @JsonPropertyDescription("Bytes a registry stores for this platform's image (manifest, config, layers).")
        private Long compressedSize;
        @JsonPropertyDescription("Its binary's link verdict: Static, StaticPie, ...")
        private String verdict;
        @JsonPropertyDescription("Its binary's C library: musl, glibc, none or unknown.")
        private String libc;
        @JsonPropertyDescription("Its binary's ELF machine, e.g. AArch64: the platform's, or the build fails.")
        private String machine;
        @JsonPropertyDescription("The SBOM pushed as a referrer of this platform's image.")
        private SbomStatus sbom;
        @JsonPropertyDescription("The smoke test of this platform's image: Running, Passed, Failed or NotRun.")
        private String smokeTest;
        @JsonPropertyDescription("The smoke-test pod of this platform, when it runs.")
        private String smokeTestPod;
        @JsonPropertyDescription("Where this platform's smoke test runs (a node of its architecture, or under"
                + " emulation) and how it failed, or why it did not run.")
        private String smokeTestMessage;

        public String getPlatform() { return platform; }
        public void setPlatform(String platform) { this.platform = platform; }
        public String getDigest() { return digest; }
        public void setDigest(String digest) { this.digest = digest; }
        public Long getCompressedSize() { return compressedSize; }
        public void setCompressedSize(Long compressedSize) { this.compressedSize = compressedSize; }
        public String getVerdict() { return verdict; }
        public void setVerdict(String verdict) { this.verdict = verdict; }
        public String getLibc() { return libc; }
        public void setLibc(String libc) { this.libc = libc; }
        public String getMachine() { return machine; }
        public void setMachine(String machine) { this.machine = machine; }
        public SbomStatus getSbom() { return sbom; }
        public void setSbom(SbomStatus sbom) { this.sbom = sbom; }
        public String getSmokeTest() { return smokeTest; }
        public void setSmokeTest(String smokeTest) { this.smokeTest = smokeTest; }
        public String getSmokeTestPod() { return smokeTestPod; }
        public void setSmokeTestPod(String smokeTestPod) { this.smokeTestPod = smokeTestPod; }
        public String getSmokeTestMessage() { return smokeTestMessage; }
        public void setSmokeTestMessage(String smokeTestMessage) { this.smokeTestMessage = smokeTestMessage; }
    }
}
