package dev.filetrail.bridge.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.events.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A tiny HTTP server for {@code /health} (liveness: JSON, 503 when not running), {@code /ready} (503 with the
 * reason while the bridge is stuck) and {@code /metrics} (Prometheus text).
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    /**
     * @param port    0 picks a free port
     * @param healthy  whether the service is up; {@code details} is the JSON body either way
     * @param notReady why the service is not ready, or empty when it is
     */
    public HealthServer(int port, PrometheusMeterRegistry registry, BooleanSupplier healthy, Supplier<String> details,
                        Supplier<Optional<String>> notReady) {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for /health and /metrics on port " + port, e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "bridge-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/health", exchange -> respond(exchange, healthy.getAsBoolean() ? 200 : 503,
                "application/json", details.get()));
        server.createContext("/ready", exchange -> {
            Optional<String> reason = notReady.get();
            respond(exchange, reason.isEmpty() ? 200 : 503, "application/json", reason.isEmpty()
                    ? "{\"status\":\"READY\"}"
                    : Json.writeString(Map.of("status", "NOT_READY", "reason", reason.get())));
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
