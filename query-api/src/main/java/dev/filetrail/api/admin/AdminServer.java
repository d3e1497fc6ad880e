package dev.filetrail.api.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.events.Json;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port ({@code API_ADMIN_PORT}): {@code /health} (liveness), {@code /ready} (readiness, what the load
 * balancer's target group checks) and {@code /metrics} (Prometheus), kept off the public port so that neither
 * metrics nor readiness details reach the internet.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param alive whether the process can still do its work (the projector's thread runs); false answers 503 on
     *              {@code /health}, so the orchestrator replaces the task
     */
    public AdminServer(int port, PrometheusMeterRegistry registry, BooleanSupplier alive, Readiness readiness) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the admin server cannot listen on port " + port, e);
        }
        // Two threads: a scrape need not wait behind a readiness check that waits for a slow PostgreSQL or Kafka.
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                problem(exchange, new ApiProblem(405, "method-not-allowed", "Method not allowed",
                        exchange.getRequestMethod() + " is not allowed here; allowed: GET, HEAD"));
                return;
            }
            try {
                route(exchange, registry, alive, readiness);
            } catch (RuntimeException e) {
                // The JDK server would close the connection without a word: say what failed instead.
                log.error("admin request failed path={} reason={}", exchange.getRequestURI().getPath(), e.toString(), e);
                problem(exchange, new ApiProblem(500, "internal", "Internal server error",
                        "the admin endpoint failed; the error is logged"));
            }
        });
    }

    private static void route(HttpExchange exchange, PrometheusMeterRegistry registry, BooleanSupplier alive,
                              Readiness readiness) throws IOException {
            switch (exchange.getRequestURI().getPath()) {
                case "/health" -> {
                    boolean up = alive.getAsBoolean();
                    respond(exchange, up ? 200 : 503, "application/json",
                            Json.write(Map.of("status", up ? "UP" : "DOWN")));
                }
                case "/ready" -> {
                    Readiness.Report report = readiness.check();
                    respond(exchange, report.ready() ? 200 : 503, "application/json", Json.write(report));
                }
                case "/metrics" -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8));
                default -> problem(exchange, new ApiProblem(404, "no-route", "Not found",
                        "the admin port serves /health, /ready and /metrics"));
            }
    }

    /** A Prometheus registry with the JVM's own meters bound, as both services expose it. */
    public static PrometheusMeterRegistry registryWithJvmMetrics() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return registry;
    }

    public AdminServer start() {
        server.start();
        log.info("admin server listening port={} paths=/health,/ready,/metrics", port());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void problem(HttpExchange exchange, ApiProblem problem) throws IOException {
        respond(exchange, problem.status(), "application/problem+json",
                Json.write(problem.toProblem(exchange.getRequestURI().getRawPath())));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
