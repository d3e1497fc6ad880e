package dev.filetrail.local.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack's Lambda API: enough of Lambda's {@code Invoke} (REST, {@code POST /2015-03-31/functions/{name}/
 * invocations}) for the real {@code LambdaClient} to invoke the registered functions asynchronously
 * ({@code X-Amz-Invocation-Type: Event}, answered 202, run later by {@link LambdaRuntime} with its retries) or to
 * check that it may ({@code DryRun}, 204). Errors come as Lambda sends them ({@code X-Amzn-ErrorType} and a JSON body):
 * an unknown function is 404 {@code ResourceNotFoundException}, a payload that is not JSON 400
 * {@code InvalidRequestContentException}, one above the asynchronous limit (256 KB) 413
 * {@code RequestTooLargeException}. Synchronous invocations are refused (nothing here needs a processor's answer).
 * What each function was invoked with through this API is kept (the last {@value #KEPT} per function), for tests.
 */
public final class LambdaApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LambdaApi.class);
    private static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations/?");
    private static final int MAX_ASYNC_PAYLOAD = 256 * 1024;
    static final int KEPT = 10_000;

    private final LambdaRuntime runtime;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> new Thread(r, "lambda-api"));
    private final Map<String, Deque<String>> received = new ConcurrentHashMap<>();

    public LambdaApi(int port, LambdaRuntime runtime) {
        this.runtime = runtime;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new IllegalStateException("Lambda API cannot listen on port " + port, e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
    }

    public LambdaApi start() {
        server.start();
        log.info("lambda api started endpoint={}", endpoint());
        return this;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The payloads {@code functionName} was invoked with through this API (asynchronously), oldest first. */
    public List<String> received(String functionName) {
        Deque<String> payloads = received.get(functionName);
        if (payloads == null) {
            return List.of();
        }
        synchronized (payloads) {
            return List.copyOf(payloads);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            Matcher invoke = INVOKE.matcher(exchange.getRequestURI().getPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !invoke.matches()) {
                error(exchange, 404, "UnknownOperationException", "the local Lambda API serves Invoke only");
                return;
            }
            String functionArn = arnOf(invoke.group(1));
            String name = functionArn.substring(functionArn.lastIndexOf(':') + 1);
            if (!runtime.has(functionArn)) {
                error(exchange, 404, "ResourceNotFoundException", "Function not found: " + functionArn);
                return;
            }
            String type = firstNonNull(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"), "RequestResponse");
            byte[] body = exchange.getRequestBody().readAllBytes();
            switch (type) {
                case "DryRun" -> respond(exchange, 204, new byte[0]);
                case "Event" -> {
                    if (body.length > MAX_ASYNC_PAYLOAD) {
                        error(exchange, 413, "RequestTooLargeException", "Request must be smaller than "
                                + MAX_ASYNC_PAYLOAD + " bytes for the InvokeAsync operation");
                        return;
                    }
                    String payload = new String(body, StandardCharsets.UTF_8);
                    if (!isJson(payload)) {
                        error(exchange, 400, "InvalidRequestContentException", "Could not parse request body into json");
                        return;
                    }
                    keep(name, payload);
                    runtime.invokeAsync(functionArn, payload);
                    respond(exchange, 202, new byte[0]);
                }
                default -> error(exchange, 400, "InvalidParameterValueException", "the local Lambda invokes "
                        + "asynchronously only: X-Amz-Invocation-Type Event or DryRun, not " + type);
            }
        } catch (RuntimeException e) {
            log.error("lambda api request failed", e);
        }
    }

    /** A function name, a full ARN or a partial one ({@code 123456789012:function:name}), a qualifier dropped. */
    private String arnOf(String functionName) {
        String[] parts = functionName.split(":");
        if (functionName.startsWith("arn:") && parts.length >= 7) {
            return String.join(":", java.util.Arrays.copyOf(parts, 7));
        }
        if (parts.length >= 3 && parts[1].equals("function")) {
            return runtime.functionArn(parts[2]);
        }
        return runtime.functionArn(parts[0]);
    }

    private void keep(String name, String payload) {
        Deque<String> payloads = received.computeIfAbsent(name, k -> new ArrayDeque<>());
        synchronized (payloads) {
            if (payloads.size() >= KEPT) {
                payloads.removeFirst();
            }
            payloads.addLast(payload);
        }
    }

    private static boolean isJson(String payload) {
        try {
            Json.read(payload, JsonNode.class);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("X-Amzn-ErrorType", type);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        String body = Json.writeString(Json.MAPPER.createObjectNode().put("Type", "User").put("Message", message));
        respond(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
