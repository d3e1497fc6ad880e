package dev.filetrail.api.http;

import dev.filetrail.api.keys.Scope;
import dev.filetrail.events.Json;
import io.javalin.Javalin;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin server on the public port: the features' route groups, the scope check every route with a
 * {@link Scope} role passes first, RFC 9457 errors, request metrics, liveness and the OpenAPI document. Paths with
 * an object key are parsed from the raw URI by {@link ObjectPath}, so Jetty must let {@code %2F} through undecoded.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final String PROBLEM_JSON = "application/problem+json";
    public static final long MAX_REQUEST_BYTES = 64 * 1024;

    private final Javalin app;

    /**
     * What the server routes to.
     *
     * @param routes the features' route groups, registered in this order: Javalin answers with the first route
     *               that matches, so a group whose route matches every path under a file comes last
     */
    public record Handlers(List<EndpointGroup> routes, Authorizer authorizer, BooleanSupplier alive,
                           OpenApiDocument openApi, PrometheusMeterRegistry registry, ClientAddress clientAddress) {
    }

    public ApiServer(int port, Handlers h) {
        byte[] ping = Json.write(Map.of("service", "filetrail-query-api", "status", "ok"));
        // Liveness is the benchmark's floor: its two possible answers are serialised once, as ping's is.
        byte[] up = Json.write(Map.of("status", "UP"));
        byte[] down = Json.write(Map.of("status", "DOWN"));
        this.app = Javalin.create(cfg -> {
            cfg.jetty.port = port;
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
            cfg.http.prefer405over404 = true;
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(UriCompliance.UNSAFE));
            cfg.jetty.modifyServletContextHandler(context -> context.getServletHandler().setDecodeAmbiguousURIs(true));

            // Liveness only: /ready and /metrics are on the admin port, which the public load balancer never exposes.
            cfg.routes.get("/health", ctx -> {
                boolean alive = h.alive().getAsBoolean();
                ctx.status(alive ? 200 : 503).contentType("application/json").result(alive ? up : down);
            });
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(h.openApi().bytes()));
            cfg.routes.get("/v1/ping", ctx -> ctx.contentType("application/json").result(ping), Scope.READ);
            h.routes().forEach(cfg.routes::apiBuilder);

            cfg.routes.before(ctx -> ctx.attribute("filetrail.start", System.nanoTime()));
            cfg.routes.before(h.clientAddress()::remember);
            // In this order: a body that is not JSON is a 415, and a malformed key path a 400, whoever sends it.
            cfg.routes.beforeMatched("/v1/*", ApiServer::requireJsonBody);
            cfg.routes.beforeMatched(ObjectPath::remember);
            cfg.routes.beforeMatched(h.authorizer()::check);
            cfg.routes.after(ctx -> record(ctx, h.registry()));
            cfg.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e));
            cfg.routes.exception(MethodNotAllowedResponse.class, (e, ctx) -> {
                String allow = String.join(", ", e.getDetails().values());
                ctx.header("Allow", allow);
                problem(ctx, new ApiProblem(405, "method-not-allowed", "Method not allowed",
                        ctx.method() + " is not allowed on " + ctx.path() + "; allowed: " + allow));
            });
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, new ApiProblem(e.getStatus(),
                    e.getStatus() == 404 ? "no-route" : "http-" + e.getStatus(), e.getMessage(),
                    e.getStatus() == 404 ? "no route " + ctx.method() + " " + ctx.path() : e.getMessage())));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                log.error("request failed method={} path={} reason={}", ctx.method(), ctx.path(), e.toString(), e);
                problem(ctx, new ApiProblem(500, "internal", "Internal server error",
                        "the server could not answer; the error is logged"));
            });
        });
    }

    /** Every /v1 route that takes a body takes JSON: anything else is a 415 before the handler reads it; no body is fine. */
    private static void requireJsonBody(Context ctx) {
        if (ctx.method() != HandlerType.POST && ctx.method() != HandlerType.PUT && ctx.method() != HandlerType.PATCH) {
            return;
        }
        String type = ctx.header("Content-Type");
        if (type == null && ctx.header("Transfer-Encoding") == null && ctx.req().getContentLengthLong() <= 0) {
            // No body at all (POST …/undelete): nothing to be JSON.
            return;
        }
        String[] parts = type == null ? new String[] {""} : type.split(";");
        boolean json = parts[0].trim().equalsIgnoreCase("application/json");
        for (int i = 1; i < parts.length && json; i++) {
            String[] param = parts[i].trim().split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")) {
                json = param.length == 2 && param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8");
            }
        }
        if (!json) {
            throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type", ctx.method() + " "
                    + ctx.path() + " takes 'Content-Type: application/json' (UTF-8), got "
                    + (type == null ? "no Content-Type" : "'" + type + "'"));
        }
    }

    private static void problem(Context ctx, ApiProblem e) {
        ctx.status(e.status()).contentType(PROBLEM_JSON).result(Json.write(e.toProblem(ctx.path())));
    }

    private static void record(Context ctx, PrometheusMeterRegistry registry) {
        Long start = ctx.attribute("filetrail.start");
        if (start == null) {
            return;
        }
        String route;
        try {
            route = ctx.endpoint().path;
        } catch (RuntimeException e) {
            route = "unmatched";
        }
        Timer.builder("filetrail_http_requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", String.valueOf(ctx.statusCode()))
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public ApiServer start() {
        app.start();
        log.info("query api listening port={}", port());
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

}
