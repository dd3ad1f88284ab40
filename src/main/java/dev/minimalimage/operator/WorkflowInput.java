package dev.minimalimage.operator;

import java.time.Instant;
import java.util.Optional;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.operator.status.PreflightProblem;
import dev.minimalimage.planning.BuildPlan;
import dev.minimalimage.planning.SmokeRuns;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What the dependents and their conditions need, computed once by the reconcile before it runs the workflow
 * ({@code @Workflow(explicitInvocation = true)}) and handed over in the context: the plan at the tracked commit,
 * the current attempt, whether its builder pod is wanted, the pre-flight problem, and the reconcile's one {@code now}.
 *
 * @param podWanted a builder pod of {@code attempt} is wanted ({@link dev.minimalimage.operator.status.Attempts#podWanted}) and, for a followed
 *        branch, the head to build is known
 * @param smokeCluster what the cluster offers the smoke tests of foreign platforms
 */
record WorkflowInput(Optional<BuildPlan> plan, int attempt, boolean podWanted, Optional<PreflightProblem> problem,
        Instant now, SmokeRuns.Cluster smokeCluster) {

    private static final String KEY = WorkflowInput.class.getName();

    void handTo(Context<MinimalImage> context) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, this);
    }

    static WorkflowInput of(Context<MinimalImage> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, WorkflowInput.class);
    }

    /** For dependents, which only run when their condition already found the plan valid. */
    BuildPlan requirePlan() {
        return plan.orElseThrow(() -> new IllegalStateException("dependent reconciled for an invalid spec"));
    }
}
