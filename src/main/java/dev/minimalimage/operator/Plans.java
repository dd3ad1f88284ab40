package dev.minimalimage.operator;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.BuildPlanner;
import dev.minimalimage.planning.InvalidSpecException;

/** Plans a build with the configured images; called once per reconcile ({@link Observer}). */
final class Plans {

    private Plans() {
    }

    static BuildPlan plan(MinimalImage resource) throws InvalidSpecException {
        return new BuildPlanner(OperatorSettings.images(), OperatorSettings.dockerfileStages()).plan(resource);
    }
}
