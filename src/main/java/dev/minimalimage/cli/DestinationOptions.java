package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.google.cloud.tools.jib.api.ImageReference;

import dev.minimalimage.image.AssembledImage;
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

    @Option(names = "--oci-layout", paramLabel = "DIR", description = "write an OCI image layout directory")
    Path ociLayout;

    @Option(names = "--oci-archive", paramLabel = "FILE", description = "write an OCI image layout as a tar file")
    Path ociArchive;

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

    /** Writes the layout/archive and pushes; returns the reference by digest (or "oci-layout"). */
    String deliver(AssembledImage assembled, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException, PushException {
        return deliver(assembled, null, null, push).get(0);
    }

    /**
     * Writes the layout/archive (the image only) and pushes the image, then {@code twin} (when not null) under
     * {@code twinTag} of the same repository; returns the references by digest, the image's first (or "oci-layout").
     */
    List<String> deliver(AssembledImage assembled, AssembledImage twin, String twinTag,
            RegistryPusher.PendingPush push) throws IOException, InterruptedException, PushException {
        if (ociLayout != null) {
            OciLayoutWriter.writeDirectory(assembled, tagOf(image), ociLayout);
        }
        if (ociArchive != null) {
            OciLayoutWriter.writeArchive(assembled, tagOf(image), ociArchive);
        }
        if (image == null) {
            return List.of("oci-layout");
        }
        List<String> references = new ArrayList<>();
        ImageReference ref = RegistryPusher.parse(image);
        for (String digest : push.push(assembled, twin, twinTag)) {
            references.add(ref.getRegistry() + "/" + ref.getRepository() + "@" + digest);
        }
        return references;
    }

    static ResultReason reasonOf(PushException.Kind kind) {
        return switch (kind) {
            case UNAUTHORIZED -> ResultReason.PushUnauthorized;
            case UNAVAILABLE -> ResultReason.RegistryUnavailable;
            case REJECTED -> ResultReason.PushRejected;
        };
    }

    private static String tagOf(String image) {
        return image == null ? null : RegistryPusher.parse(image).getQualifier();
    }
}
