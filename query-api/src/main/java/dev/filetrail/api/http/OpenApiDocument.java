package dev.filetrail.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The OpenAPI 3 document of this API (hand-written, tested against the real routes), with this server's URL. */
public final class OpenApiDocument {
    private final byte[] bytes;

    public OpenApiDocument(String publicBaseUrl) {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the classpath");
            }
            ObjectNode doc = (ObjectNode) Json.MAPPER.readTree(in);
            doc.putArray("servers").addObject().put("url", publicBaseUrl);
            this.bytes = Json.write(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.json is not valid JSON", e);
        }
    }

    public byte[] bytes() {
        return bytes;
    }
}
