package dev.filetrail.api.http;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads and bounds query parameters, answering 400 with the parameter's name for anything malformed. */
public final class Requests {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

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
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name + " must be an ISO-8601 instant such as 2024-01-31T12:00:00Z, got '"
                    + value + "'");
        }
    }

    /** An S3 bucket name as S3 allows it (3..63 of a-z 0-9 . -). */
    public static String bucket(String bucket) {
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw ApiProblem.badRequest("not a valid bucket name: '" + bucket + "'");
        }
        return bucket;
    }

    /** An S3 key: 1..1024 UTF-8 bytes, no control characters. */
    public static String key(String key) {
        if (key == null || key.isEmpty()) {
            throw ApiProblem.badRequest("key must not be empty");
        }
        if (key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw ApiProblem.badRequest("key is longer than S3's 1024 bytes");
        }
        if (key.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw ApiProblem.badRequest("key contains control characters");
        }
        return key;
    }

    public static String versionId(String versionId) {
        if (versionId == null || versionId.isEmpty() || versionId.length() > 1024
                || versionId.chars().anyMatch(c -> c < 0x20)) {
            throw ApiProblem.badRequest("not a valid versionId: '" + versionId + "'");
        }
        return versionId;
    }
}
