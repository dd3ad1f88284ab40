package dev.minimalimage.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import dev.minimalimage.api.v1alpha1.MinimalImageStatus;
import dev.minimalimage.operator.status.BuildStateTableTest.Fixture;

/**
 * docs/argocd-health.lua, the Argo CD health check the docs hand out, run by a Lua interpreter on status documents
 * the operator renders for each phase (the object goes in as Argo CD hands it over: the resource's JSON as a table).
 */
class ArgoCdHealthCheckTest {

    static final Path SCRIPT = Path.of("docs", "argocd-health.lua");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyPhaseHasTheHealthArgoCdShouldShow() throws Exception {
        Fixture c = new Fixture(BuildStateTableTest.inline());
        String pod1 = c.plan.podName(1);
        assertThat(health(c.resource, null)).as("not reconciled yet").isEqualTo("Progressing");
        assertThat(health(c.resource, rendered(c.seen(null).slotHeld(false).build()))).isEqualTo("Progressing");
        assertThat(health(c.resource, rendered(c.seen(null).build()))).isEqualTo("Progressing");
        assertThat(health(c.resource, rendered(c.seen(null).pod(BuildStateTableTest.pod(pod1,
                BuildStateTableTest.building())).build()))).isEqualTo("Progressing");
        assertThat(health(c.resource, rendered(c.seen(c.building(1, null)).pod(BuildStateTableTest.evictedPod(pod1))
                .build()))).as("retrying").isEqualTo("Progressing");
        assertThat(health(c.resource, rendered(c.seen(null).pod(BuildStateTableTest.pod(pod1,
                BuildStateTableTest.failedStep("compile", 1, "main.c:1: error: x"))).build()))).isEqualTo("Degraded");
        assertThat(health(c.resource, rendered(c.invalid("spec.image.name: required")))).isEqualTo("Degraded");
        MinimalImageStatus succeeded = c.succeeded();
        assertThat(health(c.resource, succeeded)).isEqualTo("Healthy");
        assertThat(message(c.resource, succeeded)).startsWith("Built: pushed registry.example/ok@sha256:");

        c.resource.getMetadata().setGeneration(BuildStateTableTest.GENERATION + 1);
        assertThat(health(c.resource, succeeded)).as("a newer spec not yet observed").isEqualTo("Progressing");
    }

    @Test
    void aSmokeTestDecidesBetweenHealthyAndDegraded() throws Exception {
        Fixture smoke = new Fixture(BuildStateTableTest.withSmokeTest(BuildStateTableTest.inline()));
        String pod1 = smoke.plan.podName(1);
        Observation running = smoke.seen(null).pod(BuildStateTableTest.pod(pod1, BuildStateTableTest.pushed()))
                .smokePod(BuildStateTableTest.smokePod(smoke.plan.smokePodName(), BuildStateTableTest.runningSmoke()))
                .build();
        assertThat(health(smoke.resource, rendered(running))).isEqualTo("Progressing");
        Observation failed = smoke.seen(null).pod(BuildStateTableTest.pod(pod1, BuildStateTableTest.pushed()))
                .smokePod(BuildStateTableTest.smokePod(smoke.plan.smokePodName(), BuildStateTableTest.exitedSmoke(3)))
                .build();
        assertThat(health(smoke.resource, rendered(failed))).isEqualTo("Degraded");
        Observation passed = smoke.seen(null).pod(BuildStateTableTest.pod(pod1, BuildStateTableTest.pushed()))
                .smokePod(BuildStateTableTest.smokePod(smoke.plan.smokePodName(), BuildStateTableTest.exitedSmoke(0)))
                .build();
        assertThat(health(smoke.resource, rendered(passed))).isEqualTo("Healthy");
    }

    static MinimalImageStatus rendered(Observation seen) {
        return StatusRenderer.render(BuildStateTableTest.DECISION.decide(seen), seen);
    }

    static String health(MinimalImage resource, MinimalImageStatus status) throws IOException {
        return check(resource, status).get("status").tojstring();
    }

    static String message(MinimalImage resource, MinimalImageStatus status) throws IOException {
        return check(resource, status).get("message").tojstring();
    }

    /** What Argo CD does with the script: the object as a global table {@code obj}, the script's table back. */
    static LuaValue check(MinimalImage resource, MinimalImageStatus status) throws IOException {
        MinimalImage copy = new MinimalImage();
        copy.setMetadata(resource.getMetadata());
        copy.setSpec(resource.getSpec());
        copy.setStatus(status);
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", lua(JSON.valueToTree(copy)));
        return globals.load(Files.readString(SCRIPT), SCRIPT.toString()).call();
    }

    private static LuaValue lua(JsonNode node) {
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isNull()) {
                    table.set(field.getKey(), lua(field.getValue()));
                }
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, lua(node.get(i)));
            }
            return table;
        }
        if (node.isIntegralNumber()) {
            return org.luaj.vm2.LuaInteger.valueOf(node.asLong());
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.asDouble());
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.asBoolean());
        }
        return LuaValue.valueOf(node.asText());
    }
}
