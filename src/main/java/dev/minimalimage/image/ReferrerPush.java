package dev.minimalimage.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.http.Authorization;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.http.Request;
import com.google.cloud.tools.jib.http.Response;
import com.google.cloud.tools.jib.http.ResponseException;
import com.google.cloud.tools.jib.registry.RegistryClient;

/**
 * Pushes an OCI 1.1 referrer (an artifact manifest whose {@code subject} is an image manifest) into the image's
 * repository, as distribution-spec 1.1 "Pushing Manifests with Subject" says: blobs, then the manifest by its digest;
 * then, when the registry has no referrers API ({@code GET /v2/NAME/referrers/DIGEST} answers 404, as Distribution 2.8
 * does), the referrers tag schema: the tag {@code sha256-<hex of the subject digest>} holds an image index listing
 * the referrers, which is read, extended by this one when it is missing, and pushed back.
 *
 * <p>Jib's registry client pushes blobs and manifests (our bytes, see {@link RawManifest}) but reads a manifest only
 * as its own templates, which drop the {@code artifactType} of other referrers' entries; so the two reads (the
 * referrers API and the tag's index) are our own GETs through Jib's HTTP client, with the authorization Jib's client
 * negotiated for this repository.
 */
final class ReferrerPush {

    static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    /**
     * What the tag is read as: every manifest type, so that a tag holding something else is seen as such (a registry
     * answers 404 when it holds a manifest of a type the request does not accept, as Distribution 2.8 does).
     */
    private static final List<String> ANY_MANIFEST = List.of(INDEX_TYPE, OciManifest.MEDIA_TYPE,
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ImageReference reference;
    private final RegistryClient client;
    private final FailoverHttpClient http;

    ReferrerPush(ImageReference reference, RegistryClient client, FailoverHttpClient http) {
        this.reference = reference;
        this.client = client;
        this.http = http;
    }

    /** Pushes {@code referrer} of the manifest {@code subjectDigest}; returns the referrer manifest's digest. */
    String push(OciLayoutWriter.Referrer referrer, String subjectDigest)
            throws IOException, RegistryException, PushException {
        RegistryPusher.uploadMissing(client, referrer.blobs());
        pushManifest(referrer.manifest(), referrer.manifest().digest());
        if (!hasReferrersApi(subjectDigest)) {
            listUnderReferrersTag(referrer, subjectDigest);
        }
        return referrer.manifest().digest();
    }

    /** The tag of the referrers tag schema: the subject's algorithm and hex joined by a dash. */
    static String referrersTag(String subjectDigest) {
        return subjectDigest.replace(':', '-');
    }

    private void pushManifest(Blob manifest, String tagOrDigest) throws IOException, RegistryException, PushException {
        DescriptorDigest pushed = client.pushManifest(new RawManifest(manifest), tagOrDigest);
        if (!pushed.toString().equals(manifest.digest())) {
            throw new PushException(PushException.Kind.REJECTED, "registry stored manifest " + pushed
                    + " but the pushed manifest is " + manifest.digest(), null);
        }
    }

    /** A registry with the referrers API answers 200 with an index; one without it, 404 (the spec forbids 404 else). */
    private boolean hasReferrersApi(String subjectDigest) throws IOException {
        try (Response response = get("/referrers/" + subjectDigest, List.of(INDEX_TYPE)).orElse(null)) {
            return response != null && response.getStatusCode() == 200;
        } catch (ResponseException e) {
            if (e.getStatusCode() == 401 || e.getStatusCode() == 403 || e.getStatusCode() == 429
                    || e.getStatusCode() >= 500) {
                throw e; // the same trouble the tag's push would meet: classified like any push failure
            }
            return false; // a registry that knows no such route (400, 405): the tag schema works everywhere
        }
    }

    private void listUnderReferrersTag(OciLayoutWriter.Referrer referrer, String subjectDigest)
            throws IOException, RegistryException, PushException {
        String tag = referrersTag(subjectDigest);
        ObjectNode index = currentIndex(tag);
        ArrayNode manifests = index.withArray("manifests");
        for (JsonNode entry : manifests) {
            if (referrer.manifest().digest().equals(entry.path("digest").asText())) {
                return; // listed already: the same SBOM pushed again leaves the index as it is
            }
        }
        ObjectNode descriptor = manifests.addObject();
        descriptor.put("mediaType", referrer.manifest().mediaType());
        descriptor.put("digest", referrer.manifest().digest());
        descriptor.put("size", referrer.manifest().size());
        descriptor.put("artifactType", referrer.artifactType());
        pushManifest(Blob.of(INDEX_TYPE, JSON.writeValueAsBytes(index)), tag);
    }

    /** The index under the referrers tag, or a new empty one when the tag does not exist. */
    private ObjectNode currentIndex(String tag) throws IOException, PushException {
        Optional<Response> found = get("/manifests/" + tag, ANY_MANIFEST);
        if (found.isEmpty()) {
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", INDEX_TYPE);
            index.putArray("manifests");
            return index;
        }
        JsonNode index;
        try (Response response = found.get(); InputStream body = response.getBody()) {
            index = JSON.readTree(body);
        }
        if (!(index instanceof ObjectNode object) || !INDEX_TYPE.equals(index.path("mediaType").asText())
                || !index.path("manifests").isArray()) {
            // the spec: a tag that holds anything but an index is not ours to overwrite
            throw new PushException(PushException.Kind.REJECTED, "the referrers tag " + tag + " in "
                    + reference.getRepository() + " holds something other than an OCI image index; not overwritten",
                    null);
        }
        return object;
    }

    /** GET {@code /v2/REPOSITORY + path}; empty on 404. */
    private Optional<Response> get(String path, List<String> accept) throws IOException {
        URL url = new URL("https://" + reference.getRegistry() + "/v2/" + reference.getRepository() + path);
        Request request = Request.builder().setAuthorization(authorization()).setAccept(accept)
                .setUserAgent("minimal-image").build();
        try {
            return Optional.of(http.call("GET", url, request));
        } catch (ResponseException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The authorization Jib's client negotiated (a bearer token with pull and push scope, or basic credentials; null
     * for an open registry). Jib keeps it private (jib-core 0.28.1: RegistryClient.authorization); should an upgrade
     * rename it, this fails loudly (so does every referrer push test) rather than reading without credentials.
     */
    @SuppressWarnings("unchecked")
    private Authorization authorization() {
        try {
            java.lang.reflect.Field field = RegistryClient.class.getDeclaredField("authorization");
            field.setAccessible(true);
            return ((AtomicReference<Authorization>) field.get(client)).get();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read the registry authorization of Jib's client (jib-core changed?)",
                    e);
        }
    }
}
