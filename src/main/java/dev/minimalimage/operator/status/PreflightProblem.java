package dev.minimalimage.operator.status;

/** Why a builder pod may not be created yet: a reason of {@link Reasons} and a message naming the field to fix. */
public record PreflightProblem(String reason, String message) {
}
