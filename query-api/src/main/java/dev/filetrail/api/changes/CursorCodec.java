package dev.filetrail.api.changes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.events.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Cursors and stream tickets as opaque, signed text ({@link CursorSeal}); anything this service did not sign, or
 * signed as the other kind, is a 400.
 */
final class CursorCodec {
    /** What opens a stream from an {@code EventSource}, which cannot send an Authorization header. */
    record StreamTicket(String bucket, String prefix, String keyId, Instant expiresAt) {
    }

    private final CursorSeal seal;

    CursorCodec(List<String> keys) {
        this.seal = new CursorSeal(keys);
    }

    String encode(ChangeCursor cursor) {
        var node = Json.MAPPER.createObjectNode();
        node.put("k", "changes");
        node.put("b", cursor.bucket());
        node.put("p", cursor.prefix());
        node.put("t", cursor.topicId());
        node.put("i", cursor.issuedAt().getEpochSecond());
        var offsets = node.putArray("o");
        cursor.next().forEach(offsets::add);
        return seal.seal(Json.write(node));
    }

    ChangeCursor decode(String text) {
        JsonNode node = open(text, "changes", "cursor");
        try {
            List<Long> next = new ArrayList<>();
            for (JsonNode o : node.get("o")) {
                if (!o.canConvertToLong() || o.asLong() < 0) {
                    throw new IllegalArgumentException("offset");
                }
                next.add(o.asLong());
            }
            return new ChangeCursor(text(node, "b"), text(node, "p"), text(node, "t"),
                    Instant.ofEpochSecond(node.get("i").asLong()), next);
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("cursor is not a change feed cursor of this service: pass back a cursor "
                    + "unchanged, or start over without one");
        }
    }

    String encode(StreamTicket ticket) {
        var node = Json.MAPPER.createObjectNode();
        node.put("k", "stream-ticket");
        node.put("b", ticket.bucket());
        node.put("p", ticket.prefix());
        node.put("id", ticket.keyId());
        node.put("e", ticket.expiresAt().getEpochSecond());
        return seal.seal(Json.write(node));
    }

    StreamTicket decodeTicket(String text) {
        JsonNode node = open(text, "stream-ticket", "ticket");
        try {
            return new StreamTicket(text(node, "b"), text(node, "p"), text(node, "id"),
                    Instant.ofEpochSecond(node.get("e").asLong()));
        } catch (RuntimeException e) {
            throw ApiProblem.unauthorized("ticket is not a stream ticket of this service");
        }
    }

    private JsonNode open(String text, String kind, String what) {
        byte[] document = seal.open(text);
        JsonNode node = null;
        if (document != null) {
            try {
                node = Json.MAPPER.readTree(document);
            } catch (Exception e) {
                node = null;
            }
        }
        if (node == null || !kind.equals(node.path("k").asText())) {
            if (what.equals("ticket")) {
                throw ApiProblem.unauthorized("ticket is not a stream ticket of this service (or was altered)");
            }
            throw ApiProblem.badRequest(what + " is not a change feed " + what + " of this service (or was altered): "
                    + "pass back a cursor unchanged, or start over without one");
        }
        return node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(field);
        }
        return value.asText();
    }
}
