package dev.minimalimage.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/** Which nodes a smoke-test pod of a foreign platform can land on: Ready, not cordoned, its taints tolerated. */
class NodeFitTest {

    static final Taint ARM_POOL = new Taint("NoSchedule", "pool", null, "arm");

    @Test
    void aReadyUntaintedNodeTakesItACordonedOrNotReadyOneDoesNot() {
        assertThat(NodeFit.takes(node(true, false), List.of())).isTrue();
        assertThat(NodeFit.takes(node(true, true), List.of())).as("cordoned").isFalse();
        assertThat(NodeFit.takes(node(false, false), List.of())).as("not Ready").isFalse();
    }

    @Test
    void aTaintedNodeTakesOnlyAPodThatToleratesTheTaint() {
        Node tainted = node(true, false);
        tainted.getSpec().setTaints(List.of(ARM_POOL, new Taint("PreferNoSchedule", "soft", null, "x")));
        assertThat(NodeFit.takes(tainted, List.of())).isFalse();
        assertThat(NodeFit.takes(tainted, List.of(toleration("pool", "Equal", "arm", "NoSchedule")))).isTrue();
        assertThat(NodeFit.takes(tainted, List.of(toleration("pool", null, "arm", null)))).as("Equal by default")
                .isTrue();
        assertThat(NodeFit.takes(tainted, List.of(toleration("pool", "Equal", "x86", null)))).isFalse();
        assertThat(NodeFit.takes(tainted, List.of(toleration("pool", "Exists", null, null)))).isTrue();
        assertThat(NodeFit.takes(tainted, List.of(toleration(null, "Exists", null, null)))).as("tolerates all")
                .isTrue();
        assertThat(NodeFit.takes(tainted, List.of(toleration("pool", "Exists", null, "NoExecute")))).isFalse();
    }

    private static Node node(boolean ready, boolean cordoned) {
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata()
                .withNewSpec().withUnschedulable(cordoned).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    private static Toleration toleration(String key, String operator, String value, String effect) {
        Toleration toleration = new Toleration();
        toleration.setKey(key);
        toleration.setOperator(operator);
        toleration.setValue(value);
        toleration.setEffect(effect);
        return toleration;
    }
}
