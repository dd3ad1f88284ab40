package dev.minimalimage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import com.google.cloud.tools.jib.api.ImageReference;

import dev.minimalimage.image.AssembledImage;
import dev.minimalimage.image.OciLayoutWriter;
import dev.minimalimage.image.PushException;
import dev.minimalimage.image.RegistryPusher;
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

    @Option(names = "--retries", paramLabel = "N", defaultValue = "4",
            description = "attempts for transient registry errors, with exponential backoff (default ${DEFAULT-VALUE})")
    int attempts;

    boolean named() {
        return image != null || ociLayout != null || ociArchive != null;
    }

    /** Starts connecting to the registry in the background (null when no --image); see {@link RegistryPusher#prepare}. */
    RegistryPusher.PendingPush prepare(Consumer<String> warnings) {
        return image == null ? null : new RegistryPusher(warnings).prepare(
                new RegistryPusher.Target(image, dockerConfig, insecure, attempts, Duration.ofMillis(500)));
    }

    /** Writes the layout/archive and pushes; returns the reference by digest (or "oci-layout"). */
    String deliver(AssembledImage assembled, RegistryPusher.PendingPush push)
            throws IOException, InterruptedException, PushException {
        String reference = image != null ? image : "oci-layout";
        if (ociLayout != null) {
            OciLayoutWriter.writeDirectory(assembled, tagOf(image), ociLayout);
        }
        if (ociArchive != null) {
            OciLayoutWriter.writeArchive(assembled, tagOf(image), ociArchive);
        }
        if (image != null) {
            String digest = push.push(assembled);
            ImageReference ref = RegistryPusher.parse(image);
            reference = ref.getRegistry() + "/" + ref.getRepository() + "@" + digest;
        }
        return reference;
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
