package dev.minimalimage.operator;

import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer store that keeps what the operator reads and drops two bookkeeping fields nothing here reads:
 * {@code metadata.managedFields} (a nested map per field manager, in Java the largest part of a small object) and
 * kubectl's {@code last-applied-configuration} annotation (a second copy of the whole spec, inline sources included).
 * With 1,000 resources these were most of the informer caches' heap.
 *
 * <p>Safe because the operator never writes a cached copy back whole: a status PUT to a custom resource's
 * {@code /status} subresource ignores everything but the status, and the builder pods and source ConfigMaps are
 * create-only dependents (never matched, never updated; pods are only ever deleted by name). Not for a dependent that
 * JOSDK matches against its desired state: its server-side-apply matcher reads managedFields (the smoke-test pods,
 * a bulk dependent, are matched; found on the real cluster).
 */
public class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {

    public LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T item) {
        return super.put(key, lean(item));
    }

    /** {@code item}, changed in place: the informer hands over a freshly read object that no one else holds yet. */
    static <T extends HasMetadata> T lean(T item) {
        ObjectMeta metadata = item.getMetadata();
        if (metadata != null) {
            metadata.setManagedFields(null);
            Map<String, String> annotations = metadata.getAnnotations();
            if (annotations != null) {
                annotations.remove(NamedSecrets.LAST_APPLIED);
            }
        }
        return item;
    }
}
