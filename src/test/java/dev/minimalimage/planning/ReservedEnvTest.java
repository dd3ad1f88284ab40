package dev.minimalimage.planning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.minimalimage.testsupport.PodSteps;
import dev.minimalimage.api.v1alpha1.Language;
import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.Verify;
import dev.minimalimage.operator.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;

/**
 * Language.RESERVED_ENV is written by hand (the CRD's CEL rule needs a constant): every variable the builder pod
 * actually gives the compile step must be in it, or a spec could set one and break the step.
 */
class ReservedEnvTest {

    @ParameterizedTest
    @EnumSource(value = Language.Name.class, names = { "C", "CPP", "GO", "RUST" })
    void everyVariableTheCompileStepGetsIsReserved(Language.Name language) throws Exception {
        for (Verify.LinkPolicy policy : Verify.LinkPolicy.values()) {
            MinimalImage resource = BuildPlannerTest.withUid(Resources.helloC("app", "registry.example/app:1"));
            resource.getSpec().getLanguage().setName(language);
            resource.getSpec().getVerify().setLinkPolicy(policy);
            if (policy == Verify.LinkPolicy.BUNDLE) {
                resource.getSpec().getVerify().setExtraLibraries(List.of("libz.so.1"));
            }
            BuildPlan plan = new BuildPlanner(ToolchainImages.DEFAULTS).plan(resource);
            Container compile = PodSteps.step(new BuilderPodFactory(ToolchainImages.DEFAULTS).create(resource, plan),
                    BuilderLayout.COMPILE_CONTAINER);
            assertThat(compile.getEnv()).extracting(EnvVar::getName).as(language + " " + policy).isNotEmpty()
                    .allSatisfy(name -> assertThat(LanguagePresets.RESERVED_ENV).contains(name));
        }
    }
}
