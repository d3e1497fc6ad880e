package dev.filetrail.api.http;

import dev.filetrail.api.StoredTime;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Reads and bounds query parameters, answering 400 with the parameter's name for anything malformed. */
public final class Requests {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private Requests() {
    }

    public static int limit(Context ctx) {
        String value = ctx.queryParam("limit");
        if (value == null || value.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiProblem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
            }
            return limit;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("limit must be an integer, got '" + value + "'");
        }
    }

    public static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name + " must be an ISO-8601 instant such as 2024-01-31T12:00:00Z, got '"
                    + value + "'");
        }
        return storedInstant(name, instant);
    }

    /** {@code instant} if the read model can store it; else 400 naming the field and the allowed range. */
    public static Instant storedInstant(String name, Instant instant) {
        if (!StoredTime.contains(instant)) {
            throw ApiProblem.badRequest(name + " must be within " + StoredTime.RANGE + ", got " + instant);
        }
        return instant;
    }

    /** An S3 bucket name as S3 allows it (3..63 of a-z 0-9 . -). */
    public static String bucket(String bucket) {
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw ApiProblem.badRequest("not a valid bucket name: '" + bucket + "'");
        }
        return bucket;
    }

    /** An S3 key as S3 allows it: 1..1024 bytes of UTF-8, any character (control characters and U+0000 too). */
    public static String key(String key) {
        if (key == null || key.isEmpty()) {
            throw ApiProblem.badRequest("key must not be empty");
        }
        return utf8AtMost1024("key", key);
    }

    /**
     * A listing prefix: at most 1024 bytes of UTF-8, no U+0000 (a key may hold one and lists under any prefix
     * before it; a prefix holding one is refused).
     */
    public static String prefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        if (prefix.indexOf('\u0000') >= 0) {
            throw ApiProblem.badRequest("prefix must not contain U+0000 (%00)");
        }
        return utf8AtMost1024("prefix", prefix);
    }

    private static String utf8AtMost1024(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiProblem.badRequest(name + " is not valid Unicode (a lone surrogate at char " + i + ")");
            }
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > 1024) {
            throw ApiProblem.badRequest(name + " is longer than S3's 1024 bytes of UTF-8");
        }
        return value;
    }

    public static String versionId(String versionId) {
        if (versionId == null || versionId.isEmpty() || versionId.length() > 1024
                || versionId.chars().anyMatch(c -> c < 0x20)) {
            throw ApiProblem.badRequest("not a valid versionId: '" + versionId + "'");
        }
        return versionId;
    }

    /**
     * A request body that must be one JSON object holding only {@code allowed} fields; 400 naming what is wrong
     * otherwise ({@code needs} says which fields a caller must send, for the message).
     */
    public static com.fasterxml.jackson.databind.JsonNode jsonObject(String body, java.util.Set<String> allowed,
                                                                     String needs) {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = dev.filetrail.events.Json.MAPPER.readTree(body == null ? "" : body);
        } catch (Exception e) {
            throw ApiProblem.badRequest("body must be a JSON object: " + e.getMessage().split("\n")[0]);
        }
        if (node == null || !node.isObject()) {
            throw ApiProblem.badRequest("body must be a JSON object with " + needs);
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw ApiProblem.badRequest("unknown field '" + name + "'; allowed: " + allowed);
            }
        });
        return node;
    }
}
