package dev.minimalimage.operator.cluster;

import org.jboss.logging.Logger;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;

/**
 * The one status write: a PUT of the whole status subresource with optimistic locking (the resourceVersion the
 * reconcile read), whose result goes into JOSDK's cache at once, so the reconcile that the write (or the clean-up
 * after it) triggers already sees it and never starts a stale rebuild.
 *
 * <p>Why by hand: a JSON patch computed against the informer's copy is rejected by a real API server (422) when that
 * copy carries a status the server does not have ({@code CustomResource.initStatus()} fills in an empty one), and a
 * merge patch cannot clear the fields of a previous build. (The test cluster's API server, 1.20 built with Go 1.19,
 * also answers 422 to empty strings, which {@link dev.minimalimage.operator.status.Conditions} leaves out; a real 1.20 does not.) JOSDK 5.3's
 * {@code resourceOperations()} does the same; on that version this class is one call to swap. It is not served
 * here (quarkus-operator-sdk stays on 7.4.0, JOSDK 5.2).
 */
public final class StatusWrite {

    private static final Logger LOG = Logger.getLogger(StatusWrite.class);
    private static final int HTTP_CONFLICT = 409;

    private StatusWrite() {
    }

    /**
     * Replaces {@code resource}'s status with {@code status}. On a conflict JOSDK waits for a newer copy in its cache
     * and the reconcile runs again; any other refusal fails this reconcile with the server's code, for the
     * controller's retry to back off (waiting for the cache would never heal it and cost 10 s per attempt).
     */
    public static void replace(MinimalImage resource, Context<MinimalImage> context, MinimalImageStatus status) {
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(resource, context, r -> {
            r.setStatus(status);
            return r;
        }, r -> {
            try {
                return context.getClient().resource(r).updateStatus();
            } catch (KubernetesClientException e) {
                if (e.getCode() == HTTP_CONFLICT) {
                    throw e;
                }
                LOG.warnf("status of %s/%s not written (HTTP %d): %s", r.getMetadata().getNamespace(),
                        r.getMetadata().getName(), e.getCode(), e.getMessage());
                throw new IllegalStateException("status write rejected with HTTP " + e.getCode(), e);
            }
        });
    }
}
