package dev.minimalimage.operator.status;

import java.util.ArrayList;
import java.util.List;

import dev.minimalimage.git.UrlMasking;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * Kubernetes-convention conditions: every message passes {@link UrlMasking} (a step's log tail may quote a URL
 * with a token in it; conditions feed events and GitOps UIs); lastTransitionTime changes only when the status flips. An empty message is
 * left out rather than written as "": the test cluster's API server (1.20 built with Go 1.19) rejects empty strings
 * in custom resources as null (422), and a message-less condition means the same.
 */
public final class Conditions {

    public static final String READY = "Ready";
    /**
     * kstatus's abnormal-true conditions, beside Ready so that Flux and other kstatus readers see a build in progress as
     * InProgress and a terminal failure as Failed (without them a MinimalImage reads as Current whatever its phase).
     * True while queued, starting, building, retrying or smoke testing; left out otherwise.
     */
    public static final String RECONCILING = "Reconciling";
    /** True on a terminal failure (phase Failed): nothing changes until the spec, a Secret or the cluster does. */
    public static final String STALLED = "Stalled";
    /** Only with spec.verify.smokeTest: True when the pushed image passed it. */
    static final String SMOKE_TESTED = "SmokeTested";

    private Conditions() {
    }

    static Condition make(List<Condition> previous, String type, String status, String reason, String message,
            long generation, String now) {
        String since = previous.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).findFirst().orElse(now);
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message == null || message.isEmpty() ? null : truncate(UrlMasking.mask(message)))
                .withObservedGeneration(generation)
                .withLastTransitionTime(since).build();
    }

    static List<Condition> ordered(Condition ready, List<Condition> stages) {
        List<Condition> all = new ArrayList<>();
        all.add(ready);
        all.addAll(stages);
        return all;
    }

    /** Conditions are for humans; 2 KiB is plenty and keeps the status well inside etcd limits. */
    private static String truncate(String message) {
        return message.length() <= 2048 ? message : message.substring(0, 2034) + "...(truncated)";
    }
}
