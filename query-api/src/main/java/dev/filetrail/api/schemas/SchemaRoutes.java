package dev.filetrail.api.schemas;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.events.Json;
import dev.filetrail.events.schema.ContractSchemas;
import io.javalin.apibuilder.ApiBuilder;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * The published JSON Schemas of the topics and of the audit events' data ({@link ContractSchemas}), public and
 * cacheable: {@code GET /schemas} lists them, {@code GET /schemas/topics/{file}} and {@code /schemas/audit/{file}}
 * serve one. An audit event's {@code dataschema} ({@code urn:filetrail:schema:<name>}) is served at
 * {@code /schemas/<name>}.
 */
public final class SchemaRoutes implements EndpointGroup {
    public static final String MEDIA_TYPE = "application/schema+json";
    /** The schemas change only with a release, and then only additively. */
    private static final String CACHE_CONTROL = "public, max-age=3600";

    private final byte[] index;

    public SchemaRoutes(String publicBaseUrl) {
        List<Map<String, String>> schemas = ContractSchemas.names().stream().map(name -> Map.of("name", name,
                "id", ContractSchemas.ID_PREFIX + name, "url", publicBaseUrl + "/schemas/" + name)).toList();
        this.index = Json.write(Map.of("schemas", schemas));
    }

    /** Public and cacheable: no key is asked for. */
    @Override
    public void addEndpoints() {
        ApiBuilder.get("/schemas", this::index);
        ApiBuilder.get("/schemas/topics/{file}", this::topic);
        ApiBuilder.get("/schemas/audit/{file}", this::audit);
    }

    public void index(Context ctx) {
        ctx.header("Cache-Control", CACHE_CONTROL).contentType("application/json").result(index);
    }

    public void topic(Context ctx) {
        serve(ctx, "topics/" + ctx.pathParam("file"));
    }

    public void audit(Context ctx) {
        serve(ctx, "audit/" + ctx.pathParam("file"));
    }

    private static void serve(Context ctx, String name) {
        byte[] schema = ContractSchemas.read(name).orElseThrow(() -> ApiProblem.notFound("no schema " + name
                + "; GET /schemas lists them"));
        ctx.header("Cache-Control", CACHE_CONTROL).contentType(MEDIA_TYPE).result(schema);
    }
}
