package dev.filetrail.events.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.events.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's admin port: {@code /health} (liveness), {@code /ready} (readiness, what load balancers and
 * orchestrators check) and {@code /metrics} (Prometheus text); GET or HEAD only, anything else answered as
 * RFC 9457 problem+json.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final String service;
    private final HttpServer server;
    private final ExecutorService executor;
    private boolean started;
    private boolean closed;

    /**
     * @param service what the log lines name
     * @param port    0 picks a free port
     * @param health  liveness: false answers 503, so the orchestrator replaces the task
     * @param ready   readiness: false answers 503, so no traffic is routed here
     */
    public AdminServer(String service, int port, PrometheusMeterRegistry registry, Supplier<Status> health,
                       Supplier<Status> ready) {
        this.service = service;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(service + " cannot listen for /health, /ready and /metrics on port " + port, e);
        }
        // Two threads: a scrape need not wait behind a readiness check that waits for a slow dependency.
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, service + "-admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                problem(exchange, 405, "method-not-allowed", "Method not allowed",
                        method + " is not allowed here; allowed: GET, HEAD");
                return;
            }
            try {
                switch (endpoint(exchange.getRequestURI().getPath())) {
                    case "/health" -> status(exchange, health.get());
                    case "/ready" -> status(exchange, ready.get());
                    case "/metrics" -> respond(exchange, 200, PROMETHEUS_TEXT,
                            registry.scrape().getBytes(StandardCharsets.UTF_8));
                    default -> problem(exchange, 404, "no-route", "Not found",
                            "the admin port serves /health, /ready and /metrics");
                }
            } catch (RuntimeException e) {
                // The JDK server would close the connection without a word: say what failed instead.
                log.error("admin request failed service={} path={} reason={}", service,
                        exchange.getRequestURI().getPath(), e.toString(), e);
                problem(exchange, 500, "internal", "Internal server error",
                        "the admin endpoint failed; the error is logged");
            }
        });
    }

    /**
     * The endpoint a path asks for: {@code /ready} and anything under it is {@code /ready}, and so on, as the JDK
     * server's contexts matched them for the bridge and the streams (their tests and probes rely on it).
     */
    static String endpoint(String path) {
        for (String endpoint : new String[] {"/health", "/ready", "/metrics"}) {
            if (path.equals(endpoint) || path.startsWith(endpoint + "/")) {
                return endpoint;
            }
        }
        return path;
    }

    /** Starts listening; a second call does nothing. */
    public synchronized AdminServer start() {
        if (!started && !closed) {
            server.start();
            started = true;
            log.info("admin server listening service={} port={} paths=/health,/ready,/metrics", service, port());
        }
        return this;
    }

    /** The port it listens on (resolved when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void status(HttpExchange exchange, Status status) throws IOException {
        respond(exchange, status.up() ? 200 : 503, "application/json", Json.write(status.body()));
    }

    private static void problem(HttpExchange exchange, int status, String type, String title, String detail)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://filetrail.dev/problems/" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", exchange.getRequestURI().getRawPath());
        respond(exchange, status, "application/problem+json", Json.write(body));
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

    /** Stops listening; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
