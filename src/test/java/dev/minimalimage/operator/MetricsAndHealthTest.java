package dev.minimalimage.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.minimalimage.api.v1alpha1.MinimalImage;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/** The operator's Prometheus endpoint carries the SDK's and our build metrics; health probes answer. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricsAndHealthTest {

    @Inject
    KubernetesClient client;

    @AfterEach
    void deleteWhatTheTestLeft() {
        Resources.deleteAll(client, "default");
    }

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/health/started")
    URL started;

    @TestHTTPResource("/q/health/live")
    URL live;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void metricsAndProbes() throws Exception {
        MinimalImage resource = Resources.helloC("metrics", "registry.example/metrics:1");
        resource.getMetadata().setNamespace("default");
        client.resource(resource).create();
        await().atMost(Duration.ofSeconds(20)).until(() -> get(metrics).body().contains("minimalimage_builds_started_total"));
        String body = get(metrics).body();
        assertThat(body).contains("minimalimage_builds_started_total");
        assertThat(body).containsPattern("operator_sdk_[a-z_]*reconcil");
        assertThat(get(ready).statusCode()).isEqualTo(200);
        assertThat(get(live).statusCode()).isEqualTo(200);
        assertThat(get(started).statusCode()).as("the chart's startupProbe").isEqualTo(200);
    }

    HttpResponse<String> get(URL url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
