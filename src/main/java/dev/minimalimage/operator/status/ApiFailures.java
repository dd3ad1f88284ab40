package dev.minimalimage.operator.status;

import java.util.Locale;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Why the API server refused what the operator asked after its last retry: a ResourceQuota or an admission webhook
 * that turns the builder pod away (the user's namespace settings, worth its own reason), or anything else.
 */
public final class ApiFailures {

    private static final int MAX_MESSAGE = 1024;

    public record Failure(String reason, String message) {
    }

    private ApiFailures() {
    }

    public static Failure classify(Exception e) {
        KubernetesClientException api = apiCause(e);
        if (api == null) {
            return new Failure(Reasons.RECONCILE_ERROR, cap(e.toString()));
        }
        String message = api.getStatus() != null && api.getStatus().getMessage() != null ? api.getStatus().getMessage()
                : String.valueOf(api.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (api.getCode() == 403 && lower.contains("exceeded quota")) {
            return new Failure(Reasons.QUOTA_EXCEEDED, cap("the namespace's ResourceQuota refused the builder pod: "
                    + message));
        }
        if (lower.contains("admission webhook") && lower.contains("denied")) {
            return new Failure(Reasons.POD_REJECTED, cap("an admission webhook refused the builder pod: " + message));
        }
        return new Failure(Reasons.RECONCILE_ERROR, cap("the API server answered HTTP " + api.getCode() + ": "
                + message));
    }

    private static KubernetesClientException apiCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException api) {
                return api;
            }
        }
        return null;
    }

    private static String cap(String message) {
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "…";
    }
}
