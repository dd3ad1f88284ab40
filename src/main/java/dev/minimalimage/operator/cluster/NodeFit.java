package dev.minimalimage.operator.cluster;

import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/**
 * Whether the scheduler would place a pod with these tolerations on a node (the node selector already matched): the
 * node is Ready, not cordoned, and every NoSchedule or NoExecute taint is tolerated, by the rules of the Kubernetes
 * API (an empty key with Exists tolerates everything; Equal, the default operator, needs key and value; an empty
 * effect tolerates every effect). Resources and affinity are not judged: a full node frees up, a missing one never
 * appears.
 */
public final class NodeFit {

    private NodeFit() {
    }

    public static boolean takes(Node node, List<Toleration> tolerations) {
        boolean cordoned = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        return !cordoned && ready(node) && taints.stream()
                .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
    }

    private static boolean ready(Node node) {
        List<NodeCondition> conditions = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        return conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = toleration.getKey();
        if ("Exists".equals(toleration.getOperator())) {
            return key == null || key.isEmpty() || key.equals(taint.getKey());
        }
        return Objects.equals(key, taint.getKey())
                && Objects.equals(Objects.requireNonNullElse(toleration.getValue(), ""),
                        Objects.requireNonNullElse(taint.getValue(), ""));
    }
}
