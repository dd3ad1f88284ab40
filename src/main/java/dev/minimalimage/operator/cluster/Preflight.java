package dev.minimalimage.operator.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.BuildSettings;
import dev.minimalimage.api.v1alpha1.CaBundle;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.git.GitHosts;
import dev.minimalimage.operator.status.PreflightProblem;
import dev.minimalimage.operator.status.Reasons;
import dev.minimalimage.planning.BuildPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What must hold in the cluster before a builder pod may be created, checked then rather than found out by a pod that
 * never starts (a missing Secret volume) or fails much later (a push Secret without its key): the Secrets the spec
 * names exist with the right type and keys, and the cache claim is one its owner opted in. Messages name keys, never
 * values.
 */
public final class Preflight {

    /** The label a claim's owner sets to let builds mount it (spec.build.cache). */
    static final String CACHE_OPT_IN_LABEL = "build.minimalimage.dev/cache";
    static final String DOCKER_CONFIG_TYPE = "kubernetes.io/dockerconfigjson";
    static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";

    private Preflight() {
    }

    /** {@code operatorBundle}: the operator's own CA bundle, which a resource without spec.build.caBundle gets. */
    public static Optional<PreflightProblem> check(KubernetesClient client, MinimalImage resource, BuildPlan plan,
            Optional<CaBundle> operatorBundle) {
        String namespace = resource.getMetadata().getNamespace();
        if (plan.pushSecret() != null) {
            Optional<String> push = pushSecret(client, namespace, plan.pushSecret());
            if (push.isPresent()) {
                return Optional.of(new PreflightProblem(Reasons.PUSH_SECRET_INVALID, push.get()));
            }
        }
        if (plan.git() != null && plan.git().credentialsSecret() != null) {
            Optional<PreflightProblem> git = gitSecret(client, namespace, plan.git());
            if (git.isPresent()) {
                return git;
            }
        }
        Optional<String> ca = caBundle(client, resource, operatorBundle);
        if (ca.isPresent()) {
            return Optional.of(new PreflightProblem(Reasons.CA_BUNDLE_INVALID, ca.get()));
        }
        return cacheClaim(client, resource).map(message -> new PreflightProblem(Reasons.CACHE_CLAIM_INVALID, message));
    }

    private static Optional<String> pushSecret(KubernetesClient client, String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.of("spec.image.pushSecret: no Secret " + name + " in namespace " + namespace);
        }
        if (!DOCKER_CONFIG_TYPE.equals(secret.getType())) {
            return Optional.of("spec.image.pushSecret: Secret " + name + " has type " + secret.getType() + ", not "
                    + DOCKER_CONFIG_TYPE);
        }
        return missingKeys(secret, List.of(DOCKER_CONFIG_KEY))
                .map(keys -> "spec.image.pushSecret: Secret " + name + " has no key " + keys);
    }

    /**
     * https needs username and password; ssh a private key and the known host keys (the host is always verified).
     * And the Secret's owner must have named the URL's host in its git-hosts annotation (the Tekton pattern):
     * whoever may create a MinimalImage could otherwise send any git Secret of the namespace to a host of their
     * choosing.
     */
    private static Optional<PreflightProblem> gitSecret(KubernetesClient client, String namespace, BuildPlan.GitSource git) {
        String name = git.credentialsSecret();
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return invalidGitSecret("spec.source.git.credentialsSecret: no Secret " + name + " in namespace "
                    + namespace);
        }
        List<String> keys = git.url().startsWith("https://") ? List.of("username", "password")
                : List.of("ssh-privatekey", "known_hosts");
        Optional<String> missing = missingKeys(secret, keys);
        if (missing.isPresent()) {
            return invalidGitSecret("spec.source.git.credentialsSecret: Secret " + name + " has no key "
                    + missing.get() + " (a " + (keys.contains("username") ? "https" : "ssh") + " URL needs "
                    + String.join(" and ", keys) + ")");
        }
        String host = GitHosts.hostOf(git.url()).map(h -> h.host() + ":" + h.port()).orElse(git.url());
        String fix = " (kubectl annotate secret " + name + " " + GitHosts.ANNOTATION + "=<host>)";
        try {
            GitHosts allowed = GitHosts.fromAnnotations(secret.getMetadata().getAnnotations());
            if (!allowed.allows(git.url())) {
                return Optional.of(new PreflightProblem(Reasons.GIT_SECRET_NOT_ALLOWED, "spec.source.git.credentialsSecret:"
                        + " Secret " + name + " may not be sent to " + host + ": its annotation " + GitHosts.ANNOTATION
                        + (allowed.isEmpty() ? " is missing or empty" : " does not list that host") + fix));
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(new PreflightProblem(Reasons.GIT_SECRET_NOT_ALLOWED, "spec.source.git.credentialsSecret: Secret "
                    + name + " has an unreadable " + GitHosts.ANNOTATION + " annotation: " + e.getMessage()));
        }
        return Optional.empty();
    }

    private static Optional<PreflightProblem> invalidGitSecret(String message) {
        return Optional.of(new PreflightProblem(Reasons.GIT_SECRET_INVALID, message));
    }

    /** A bundle the pod would mount but cannot (the pod would sit in ContainerCreating until its start timeout). */
    private static Optional<String> caBundle(KubernetesClient client, MinimalImage resource,
            Optional<CaBundle> operatorBundle) {
        BuildSettings build = resource.getSpec().getBuild();
        Optional<CaBundle> bundle = build != null && build.getCaBundle() != null ? Optional.of(build.getCaBundle())
                : operatorBundle;
        if (bundle.isEmpty()) {
            return Optional.empty();
        }
        String field = build != null && build.getCaBundle() != null ? "spec.build.caBundle" : "the operator's CA bundle";
        String namespace = resource.getMetadata().getNamespace();
        ConfigMap map = client.configMaps().inNamespace(namespace).withName(bundle.get().getConfigMap()).get();
        if (map == null) {
            return Optional.of(field + ": no ConfigMap " + bundle.get().getConfigMap() + " in namespace " + namespace);
        }
        boolean hasKey = map.getData() != null && map.getData().containsKey(bundle.get().getKey());
        return hasKey ? Optional.empty() : Optional.of(field + ": ConfigMap " + bundle.get().getConfigMap()
                + " has no key " + bundle.get().getKey());
    }

    private static Optional<String> missingKeys(Secret secret, List<String> keys) {
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            boolean inData = secret.getData() != null && secret.getData().containsKey(key);
            boolean inStringData = secret.getStringData() != null && secret.getStringData().containsKey(key);
            if (!inData && !inStringData) {
                missing.add(key);
            }
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", missing));
    }

    /**
     * The operator mounts the claim read-write into a compile step that runs the project's own scripts: without the
     * owner's opt-in, anyone who may create a MinimalImage could read or overwrite every claim of the namespace (a
     * database's, say) with the operator's rights.
     */
    private static Optional<String> cacheClaim(KubernetesClient client, MinimalImage resource) {
        if (resource.getSpec().getBuild() == null || resource.getSpec().getBuild().getCache() == null) {
            return Optional.empty();
        }
        String name = resource.getSpec().getBuild().getCache().getClaimName();
        String namespace = resource.getMetadata().getNamespace();
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (claim == null) {
            return Optional.of("spec.build.cache.claimName: no PersistentVolumeClaim " + name + " in namespace "
                    + namespace);
        }
        Map<String, String> labels = claim.getMetadata().getLabels();
        if (labels == null || !"true".equals(labels.get(CACHE_OPT_IN_LABEL))) {
            return Optional.of("PersistentVolumeClaim " + name + " is not labelled " + CACHE_OPT_IN_LABEL + "=true:"
                    + " only claims their owner opted in are mounted into builds (kubectl label pvc " + name + " "
                    + CACHE_OPT_IN_LABEL + "=true)");
        }
        return Optional.empty();
    }
}
