package dev.minimalimage.operator;

import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.InvalidSpecException;

/** Plans a build with the configured images; pure, so every dependent can ask without coordination. */
final class Plans {

    private Plans() {
    }

    static BuildPlan plan(MinimalImage resource) throws InvalidSpecException {
        return new BuildPlanner(OperatorSettings.images()).plan(resource);
    }

    static Optional<BuildPlan> tryPlan(MinimalImage resource) {
        try {
            return Optional.of(plan(resource));
        } catch (InvalidSpecException e) {
            return Optional.empty();
        }
    }

    /** For dependents, which only run when their condition already found the plan valid. */
    static BuildPlan require(MinimalImage resource) {
        try {
            return plan(resource);
        } catch (InvalidSpecException e) {
            throw new IllegalStateException("dependent reconciled for an invalid spec: " + e.getMessage(), e);
        }
    }
}
