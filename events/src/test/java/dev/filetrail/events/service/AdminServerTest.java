package dev.filetrail.events.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesHealthReadyAndMetricsWithEachServicesBody() throws Exception {
        PrometheusMeterRegistry registry = ServiceShell.registryWithJvmMetrics();
        registry.counter("shell.test.counted").increment();
        AtomicBoolean ready = new AtomicBoolean(false);
        try (AdminServer server = new AdminServer("test", 0, registry,
                () -> new Status(true, Map.of("status", "UP")),
                () -> new Status(ready.get(), Map.of("status", ready.get() ? "READY" : "NOT_READY"))).start()) {
            HttpResponse<String> health = get(server, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");

            assertThat(get(server, "/ready").statusCode()).isEqualTo(503);
            assertThat(get(server, "/ready").body()).contains("NOT_READY");
            ready.set(true);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);

            assertThat(get(server, "/ready/").statusCode()).as("a path under /ready is /ready").isEqualTo(200);
            assertThat(get(server, "/readyz").statusCode()).as("another word is no endpoint").isEqualTo(404);

            HttpResponse<String> metrics = get(server, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("shell_test_counted_total").contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void answersOtherPathsAndMethodsWithProblems() throws Exception {
        try (AdminServer server = new AdminServer("test", 0, ServiceShell.registryWithJvmMetrics(),
                () -> new Status(true, Map.of()), () -> {
                    throw new IllegalStateException("boom");
                }).start()) {
            HttpResponse<String> missing = get(server, "/nothing");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(missing.body()).contains("no-route").contains("/nothing");

            HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(server, "/health"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");

            HttpResponse<String> failed = get(server, "/ready");
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).contains("the error is logged");
        }
    }

    @Test
    void startAndCloseMayBeRepeated() throws Exception {
        AdminServer server = new AdminServer("test", 0, ServiceShell.registryWithJvmMetrics(),
                () -> new Status(true, Map.of()), () -> new Status(true, Map.of()));
        assertThat(server.start()).isSameAs(server.start());
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);
        server.close();
        server.close();
    }

    private HttpResponse<String> get(AdminServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(server, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(AdminServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
