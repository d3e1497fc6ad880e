package dev.filetrail.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.events.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text), {@code /health} (liveness: 200 while the streams run, else 503) and
 * {@code /ready} (200 while they do their work, 503 once they are stuck; see {@link StreamsReadiness}) on one port.
 */
public final class MetricsServer implements AutoCloseable {
    /** What /health or /ready reports: yes or no, a word for the state, and why not (null when up). */
    public record Health(boolean up, String state, String reason) {
    }

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts on loopback-or-any {@code port} (0 picks a free one). */
    public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health,
                                      Supplier<Health> ready) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            server.createContext("/metrics", exchange -> respond(exchange, 200,
                    "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            server.createContext("/health", exchange -> report(exchange, health.get(), "UP", "DOWN"));
            server.createContext("/ready", exchange -> report(exchange, ready.get(), "READY", "NOT_READY"));
            server.start();
            return new MetricsServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void report(HttpExchange exchange, Health h, String yes, String no) throws IOException {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", h.up() ? yes : no);
        body.put("state", h.state());
        if (h.reason() != null) {
            body.put("reason", h.reason());
        }
        respond(exchange, h.up() ? 200 : 503, "application/json", Json.writeString(body));
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
    }
}
