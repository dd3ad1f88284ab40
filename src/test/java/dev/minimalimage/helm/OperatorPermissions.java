package dev.minimalimage.helm;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the operator's service account may do, verb by verb, as the code uses it (docs/permissions.md is the same
 * table with the reasons): the chart's RBAC is checked against it (HelmChartTest) and so is the real cluster's answer
 * to `kubectl auth can-i` (ClusterIT), in a watched namespace, an unwatched one and cluster-wide.
 */
public final class OperatorPermissions {

    /** The verbs every check asks about. */
    public static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete");

    /** A resource (or subresource, "minimalimages/status") of an API group and the verbs granted on it. */
    public record Grant(String group, String resource, Set<String> verbs) {

        /** The resource as kubectl auth can-i names it: plural.group, without the subresource. */
        public String kubectlResource() {
            String plural = resource.contains("/") ? resource.substring(0, resource.indexOf('/')) : resource;
            return group.isEmpty() ? plural : plural + "." + group;
        }

        /** The subresource ("status", "log"), or "" for the resource itself. */
        public String subresource() {
            return resource.contains("/") ? resource.substring(resource.indexOf('/') + 1) : "";
        }

        public String key() {
            return (group.isEmpty() ? "core" : group) + "/" + resource;
        }
    }

    static final String GROUP = "build.minimalimage.dev";

    /** In every watched namespace (all of them with watchNamespaces empty). */
    public static final List<Grant> IN_A_WATCHED_NAMESPACE = List.of(
            new Grant(GROUP, "minimalimages", Set.of("get", "list", "watch")),
            new Grant(GROUP, "minimalimages/status", Set.of("update")),
            new Grant(GROUP, "minimalimages/finalizers", Set.of("update")),
            new Grant("", "pods", Set.of("get", "list", "watch", "create", "patch", "delete")),
            new Grant("", "pods/log", Set.of("get")),
            new Grant("", "configmaps", Set.of("get", "list", "watch", "create", "patch", "delete")),
            new Grant("networking.k8s.io", "networkpolicies", Set.of("get", "list", "watch", "create", "patch", "delete")),
            new Grant("", "persistentvolumeclaims", Set.of("get")),
            new Grant("", "events", Set.of("create", "list")),
            new Grant("", "secrets", Set.of("get", "list", "watch")));

    /**
     * Cluster-scoped: node labels, to smoke test a foreign platform on a node of its architecture. Granted when every
     * namespace is watched, or with smokeTest.listNodes true.
     */
    public static final Grant NODES = new Grant("", "nodes", Set.of("list"));

    /** Leader election, in the release namespace only. */
    public static final Grant LEADER_ELECTION = new Grant("coordination.k8s.io", "leases",
            Set.of("get", "create", "update", "patch"));

    private OperatorPermissions() {
    }

    /** The grants as "group/resource" to sorted verbs, the shape the chart's rules are compared in. */
    public static Map<String, Set<String>> byResource(List<Grant> grants) {
        Map<String, Set<String>> map = new TreeMap<>();
        grants.forEach(g -> map.computeIfAbsent(g.key(), k -> new TreeSet<>()).addAll(g.verbs()));
        return map;
    }
}
