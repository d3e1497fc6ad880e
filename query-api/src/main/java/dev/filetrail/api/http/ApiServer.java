package dev.filetrail.api.http;

import dev.filetrail.api.audit.AuditRoutes;
import dev.filetrail.api.files.FileRoutes;
import dev.filetrail.api.files.ObjectPath;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.api.schemas.SchemaRoutes;
import dev.filetrail.api.shares.ShareCommands;
import dev.filetrail.api.shares.SharePage;
import dev.filetrail.api.shares.ShareRoutes;
import dev.filetrail.events.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.UriCompliance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin server on the public port: routes, RFC 9457 errors, request metrics, liveness and the OpenAPI
 * document. Paths with an object key are parsed from the raw URI by {@link ObjectPath}, so Jetty must
 * let {@code %2F} through undecoded.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final String PROBLEM_JSON = "application/problem+json";
    public static final long MAX_REQUEST_BYTES = 64 * 1024;

    private final Javalin app;

    /** The feature handlers the server routes to. */
    public record Handlers(FileRoutes files, ShareRoutes shares, SharePage sharePage, AuditRoutes audit,
                           SchemaRoutes schemas, Authorizer authorizer, BooleanSupplier alive, OpenApiDocument openApi,
                           PrometheusMeterRegistry registry, ClientAddress clientAddress) {
    }

    public ApiServer(int port, Handlers h) {
        byte[] ping = Json.write(Map.of("service", "filetrail-query-api", "status", "ok"));
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
                boolean up = h.alive().getAsBoolean();
                ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN"));
            });
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(h.openApi().bytes()));
            cfg.routes.get("/schemas", h.schemas()::index);
            cfg.routes.get("/schemas/topics/{file}", h.schemas()::topic);
            cfg.routes.get("/schemas/audit/{file}", h.schemas()::audit);
            cfg.routes.get("/v1/ping", ctx -> {
                h.authorizer().require(ctx, Scope.READ);
                ctx.contentType("application/json").result(ping);
            });

            cfg.routes.get("/v1/buckets/{bucket}/files", h.files()::list);
            cfg.routes.get("/v1/buckets/{bucket}/files/<rest>", ctx -> {
                ObjectPath path = ObjectPath.parse(ctx.req().getRequestURI(), ctx.queryParam("key"));
                switch (path.target()) {
                    case FILE -> h.files().file(ctx, path);
                    case VERSIONS -> h.files().versions(ctx, path);
                    case VERSION_URL -> h.files().versionUrl(ctx, path);
                    case THUMBNAIL_URL -> h.files().thumbnailUrl(ctx, path);
                    case SHARES -> h.shares().listForFile(ctx, path);
                    default -> throw ApiProblem.notFound("no such route");
                }
            });
            cfg.routes.post("/v1/shares", h.shares()::create);
            cfg.routes.get("/v1/shares/{id}", h.shares()::get);
            cfg.routes.delete("/v1/shares/{id}", h.shares()::revoke);
            cfg.routes.get("/v1/audit", h.audit()::query);
            cfg.routes.get("/s/{token}", h.sharePage()::get);
            cfg.routes.post("/s/{token}", h.sharePage()::post);
            cfg.routes.get("/s/{token}/download", h.sharePage()::download);
            cfg.routes.get("/s/{token}/preview/{size}", h.sharePage()::preview);

            cfg.routes.before(ctx -> ctx.attribute("filetrail.start", System.nanoTime()));
            cfg.routes.before(h.clientAddress()::remember);
            cfg.routes.beforeMatched("/v1/*", ApiServer::requireJsonBody);
            cfg.routes.after(ctx -> record(ctx, h.registry()));
            cfg.routes.exception(ApiProblem.class, (e, ctx) -> problem(ctx, e));
            cfg.routes.exception(ShareCommands.CommandNotAccepted.class, (e, ctx) -> problem(ctx,
                    new ApiProblem(503, "kafka-unavailable", "Service unavailable", e.getMessage())));
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

    /** Every /v1 route that takes a body takes JSON: anything else is a 415 before the handler reads it. */
    private static void requireJsonBody(Context ctx) {
        if (ctx.method() != HandlerType.POST && ctx.method() != HandlerType.PUT && ctx.method() != HandlerType.PATCH) {
            return;
        }
        String type = ctx.header("Content-Type");
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
