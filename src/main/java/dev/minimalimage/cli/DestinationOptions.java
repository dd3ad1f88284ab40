package dev.minimalimage.cli;

import dev.minimalimage.result.BuildResult;
import dev.minimalimage.result.ResultReason;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.google.cloud.tools.jib.api.ImageReference;

import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.ImageIndex;
import dev.minimalimage.image.OciLayoutWriter;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
import dev.minimalimage.image.RegistryRetry;
import dev.minimalimage.planning.Durations;
import dev.minimalimage.result.ResultReason;
import picocli.CommandLine.Option;

/** Where an image goes (registry, OCI layout directory or archive) and how to reach the registry. */
class DestinationOptions {

    @Option(names = { "-t", "--image" }, paramLabel = "REF", description = "push to this reference (registry/repo:tag)")
    String image;

    @Option(names = "--oci-layout", paramLabel = "DIR", description = "Write an OCI image layout directory.")
    Path ociLayout;

    @Option(names = "--oci-archive", paramLabel = "FILE", description = "Write an OCI image layout as a tar file.")
    Path ociArchive;

    @Option(names = "--tag", paramLabel = "TAG", description = { "Without --image: the tag the OCI layout names the",
            "image by (org.opencontainers.image.ref.name, as in skopeo's oci:DIR:TAG; default " + DEFAULT_TAG + ")." })
    String tag;

    /** What a layout without --image and --tag calls its image; the default tag of every registry client. */
    static final String DEFAULT_TAG = "latest";

    @Option(names = "--docker-config", paramLabel = "FILE",
            description = "Docker config.json with registry credentials (e.g. a mounted .dockerconfigjson)")
    Path dockerConfig;

    @Option(names = "--insecure", description = "allow plain HTTP and unverified TLS for this registry")
    boolean insecure;

    @Option(names = "--ca-bundle", paramLabel = "FILE", description = { "PEM file with one or more CA certificates to",
            "trust for the registry, in addition to the JDK's default ones (instead of --insecure)" })
    Path caBundle;

    @Option(names = "--registry-retry-timeout", paramLabel = "DURATION",
            defaultValue = RegistryRetry.DEFAULT_BUDGET_TEXT, description = { "how long to keep retrying transient",
                    "registry failures (refused, reset, timeouts, 429, 5xx) with backoff and Retry-After; e.g. 90s, 5m,",
                    "1h30m, 0s for one attempt (default ${DEFAULT-VALUE})" })
    String retryTimeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "0",
            description = "also stop after N attempts (default 0: as many as --registry-retry-timeout allows)")
    int attempts;

    boolean named() {
        return image != null || ociLayout != null || ociArchive != null;
    }

    /** At least one destination, or {@link IllegalArgumentException} saying which options name one. */
    void requireNamed() {
        if (!named()) {
            throw new IllegalArgumentException("name a destination: --image REF, --oci-layout DIR or --oci-archive FILE");
        }
    }

    /**
     * Runs checks of the arguments that come before any work; their failure as the result record to print (a bad
     * argument is InvalidArguments, a file that cannot be used FileError), or null when all passed.
     */
    static BuildResult failedCheck(Runnable checks) {
        try {
            checks.run();
            return null;
        } catch (FileProblem e) {
            return BuildResult.failure(ResultReason.FileError, e.getMessage(), null);
        } catch (IllegalArgumentException e) {
            return BuildResult.failure(ResultReason.InvalidArguments, e.getMessage(), null);
        }
    }

    /** Starts connecting to the registry in the background (null when no --image); see {@link RegistryPusher#prepare}. */
    RegistryPusher.PendingPush prepare(Consumer<String> warnings) {
        if (image == null) {
            return null;
        }
        Duration budget = Durations.option("--registry-retry-timeout", retryTimeout, MAX_RETRY_TIMEOUT, "6h");
        TrustedCertificates.install(caBundle); // before the first TLS connection
        return new RegistryPusher(warnings).prepare(new RegistryPusher.Target(image, dockerConfig, insecure, budget,
                attempts));
    }

    private static final Duration MAX_RETRY_TIMEOUT = Duration.ofHours(6);

    /**
     * The destinations that need no network, checked before any work: a tag that is one, and output paths that can
     * be written ({@link FileProblem} else).
     */
    void checkOutputs() {
        if (tag != null && image != null) {
            throw new IllegalArgumentException("--tag names the OCI layout's image when there is no --image; with"
                    + " --image the layout takes its tag (" + layoutTag() + ")");
        }
        checkTag("--tag", layoutTag());
        if (ociLayout != null) {
            OutputPaths.checkDirectory("--oci-layout", ociLayout);
        }
        if (ociArchive != null) {
            OutputPaths.checkFile("--oci-archive", ociArchive);
        }
    }

    /** A tag as the distribution spec allows one: [A-Za-z0-9_][A-Za-z0-9._-]*, at most 128 characters. */
    static void checkTag(String option, String value) {
        boolean valid = !value.isEmpty() && value.length() <= 128 && value.charAt(0) != '.' && value.charAt(0) != '-';
        for (char c : value.toCharArray()) {
            valid &= c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-');
        }
        if (!valid) {
            throw new IllegalArgumentException(option + " must be a tag ([A-Za-z0-9_][A-Za-z0-9._-]*, at most 128): "
                    + value);
        }
    }

    /** The layout's org.opencontainers.image.ref.name: --image's tag, else --tag, else {@value #DEFAULT_TAG}. */
    String layoutTag() {
        if (image != null) {
            return RegistryPusher.parse(image).getTag().orElse(DEFAULT_TAG);
        }
        return tag != null ? tag : DEFAULT_TAG;
    }

    /** Where the image went, in skopeo's transport syntax when it is not a registry: oci:DIR:TAG, oci-archive:FILE:TAG. */
    private String localDestination() {
        Path where = ociLayout != null ? ociLayout : ociArchive;
        return (ociLayout != null ? "oci:" : "oci-archive:") + where.toAbsolutePath().normalize() + ":" + layoutTag();
    }

    /** Writes the layout/archive and pushes; returns the reference by digest (or the layout, see localDestination). */
    String deliver(AssembledImage assembled, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException, PushException {
        return deliver(assembled, null, null, push).get(0);
    }

    /**
     * Writes the layout/archive (the image only) and pushes the image, then {@code twin} (when not null) under
     * {@code twinTag} of the same repository; returns the references by digest, the image's first (without --image:
     * the layout or archive as skopeo names it, oci:DIR:TAG or oci-archive:FILE:TAG).
     */
    List<String> deliver(AssembledImage assembled, AssembledImage twin, String twinTag,
            RegistryPusher.PendingPush push) throws IOException, InterruptedException, PushException {
        if (ociLayout != null) {
            OciLayoutWriter.writeDirectory(assembled, layoutTag(), ociLayout);
        }
        if (ociArchive != null) {
            OciLayoutWriter.writeArchive(assembled, layoutTag(), ociArchive);
        }
        if (image == null) {
            return List.of(localDestination());
        }
        List<String> references = new ArrayList<>();
        ImageReference ref = RegistryPusher.parse(image);
        for (String digest : push.push(assembled, twin, twinTag)) {
            references.add(ref.getRegistry() + "/" + ref.getRepository() + "@" + digest);
        }
        return references;
    }

    /**
     * Writes the layout/archive of a multi-platform image (every platform's image and the index) and pushes it;
     * returns the reference to the index by digest (or the layout, see {@link #localDestination}).
     */
    String deliver(ImageIndex index, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException, PushException {
        if (ociLayout != null) {
            OciLayoutWriter.writeDirectory(index, layoutTag(), ociLayout);
        }
        if (ociArchive != null) {
            OciLayoutWriter.writeArchive(index, layoutTag(), ociArchive);
        }
        if (image == null) {
            return localDestination();
        }
        ImageReference ref = RegistryPusher.parse(image);
        return ref.getRegistry() + "/" + ref.getRepository() + "@" + push.push(index);
    }

    /** The reference by digest of another manifest in the repository the image went to (a platform's image). */
    String sibling(String delivered, String digest) {
        if (image == null) {
            return delivered;
        }
        ImageReference ref = RegistryPusher.parse(image);
        return ref.getRegistry() + "/" + ref.getRepository() + "@" + digest;
    }

    static ResultReason reasonOf(PushException.Kind kind) {
        return switch (kind) {
            case UNAUTHORIZED -> ResultReason.PushUnauthorized;
            case UNAVAILABLE -> ResultReason.RegistryUnavailable;
            case REJECTED -> ResultReason.PushRejected;
        };
    }
}
