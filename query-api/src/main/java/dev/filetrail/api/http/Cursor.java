package dev.filetrail.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.StoredTime;
import dev.filetrail.events.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An opaque page cursor: the sort key of the last row returned, as base64url JSON tagged with the listing it
 * belongs to, so a cursor from one route is a 400 on another rather than a silent wrong page.
 */
public final class Cursor {
    private Cursor() {
    }

    public static String encode(String kind, String... values) {
        var node = Json.MAPPER.createObjectNode();
        node.put("k", kind);
        var array = node.putArray("v");
        for (String v : values) {
            array.add(v);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(node));
    }

    /** The values of a cursor of {@code kind} with exactly {@code count} values; 400 for anything else. */
    public static List<String> decode(String cursor, String kind, int count) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            if (cursor.length() > 4096) {
                throw new IllegalArgumentException("too long");
            }
            JsonNode node = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(cursor));
            if (!kind.equals(node.path("k").asText()) || !node.path("v").isArray() || node.path("v").size() != count) {
                throw new IllegalArgumentException("not a " + kind + " cursor");
            }
            List<String> values = new ArrayList<>();
            for (JsonNode v : node.get("v")) {
                if (!v.isTextual() || v.asText().indexOf('\u0000') >= 0) {
                    throw new IllegalArgumentException("malformed");
                }
                values.add(v.asText());
            }
            return values;
        } catch (Exception e) {
            throw ApiProblem.badRequest("cursor is not valid for this listing: pass back nextCursor unchanged");
        }
    }

    /** A key a cursor carries in its {@link StoredKey} form; 400 for a form no key produces. */
    public static String storedKey(String value) {
        try {
            return StoredKey.fromColumn(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("cursor is not valid for this listing: pass back nextCursor unchanged");
        }
    }

    /** An instant a cursor carries; 400 when it is not one, or not one the read model stores. */
    public static Instant instant(String value) {
        try {
            Instant instant = Instant.parse(value);
            if (StoredTime.contains(instant)) {
                return instant;
            }
        } catch (DateTimeParseException e) {
            // answered below, as any other forged cursor
        }
        throw ApiProblem.badRequest("cursor is not valid for this listing: pass back nextCursor unchanged");
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
