package dev.filetrail.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.StoredTime;
import dev.filetrail.events.Json;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * An opaque page cursor: the sort key of the last row returned, tagged with the listing it belongs to, so a cursor
 * from one route is a 400 on another rather than a silent wrong page.
 *
 * <p>Why binary: a listing's kind names its bucket and prefix and its value is a stored key, each up to 1,024 bytes
 * of any UTF-8; as JSON, a key of control characters grows sixfold (and twelvefold in its stored form), past what a
 * URL can carry. The cursor is base64url of {@code 0x02}, the first 8 bytes of SHA-256 of the kind, then each value
 * as a varint length and its UTF-8 bytes: at most ~2,750 characters for the longest key. Cursors in the earlier JSON
 * form ({@code {"k":…,"v":[…]}}) are still read, so a client paging across an upgrade is not turned away.
 */
public final class Cursor {
    private static final byte VERSION = 0x02;
    private static final int KIND_TAG_BYTES = 8;
    private static final int MAX_CHARS = 4096;
    private static final String INVALID = "cursor is not valid for this listing: pass back nextCursor unchanged";

    private Cursor() {
    }

    public static String encode(String kind, String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(VERSION);
        out.write(kindTag(kind), 0, KIND_TAG_BYTES);
        for (String value : values) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            for (int length = bytes.length; ; length >>>= 7) {
                if (length < 0x80) {
                    out.write(length);
                    break;
                }
                out.write(length & 0x7f | 0x80);
            }
            out.write(bytes, 0, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }

    /** The values of a cursor of {@code kind} with exactly {@code count} values; 400 for anything else. */
    public static List<String> decode(String cursor, String kind, int count) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            if (cursor.length() > MAX_CHARS) {
                throw new IllegalArgumentException("too long");
            }
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            List<String> values = bytes.length > 0 && bytes[0] == '{' ? legacy(bytes, kind) : binary(bytes, kind);
            if (values.size() != count) {
                throw new IllegalArgumentException("expected " + count + " values");
            }
            for (String value : values) {
                if (value.indexOf('\u0000') >= 0) {
                    throw new IllegalArgumentException("malformed");
                }
            }
            return values;
        } catch (Exception e) {
            throw ApiProblem.badRequest(INVALID);
        }
    }

    private static List<String> binary(byte[] bytes, String kind) throws CharacterCodingException {
        if (bytes.length < 1 + KIND_TAG_BYTES || bytes[0] != VERSION
                || !Arrays.equals(bytes, 1, 1 + KIND_TAG_BYTES, kindTag(kind), 0, KIND_TAG_BYTES)) {
            throw new IllegalArgumentException("not a " + kind + " cursor");
        }
        List<String> values = new ArrayList<>();
        int at = 1 + KIND_TAG_BYTES;
        while (at < bytes.length) {
            int length = 0;
            for (int shift = 0; ; shift += 7) {
                if (at >= bytes.length || shift > 21) {
                    throw new IllegalArgumentException("bad length");
                }
                int b = bytes[at++] & 0xff;
                length |= (b & 0x7f) << shift;
                if (b < 0x80) {
                    break;
                }
            }
            if (length > bytes.length - at) {
                throw new IllegalArgumentException("truncated");
            }
            // Strict decoding: a forged cursor with invalid UTF-8 is refused, never read as replacement characters.
            values.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, at, length))
                    .toString());
            at += length;
        }
        return values;
    }

    private static List<String> legacy(byte[] bytes, String kind) throws Exception {
        JsonNode node = Json.MAPPER.readTree(bytes);
        if (!kind.equals(node.path("k").asText()) || !node.path("v").isArray()) {
            throw new IllegalArgumentException("not a " + kind + " cursor");
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : node.get("v")) {
            if (!v.isTextual()) {
                throw new IllegalArgumentException("malformed");
            }
            values.add(v.asText());
        }
        return values;
    }

    private static byte[] kindTag(String kind) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(kind.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** A key a cursor carries in its {@link StoredKey} form; 400 for a form no key produces. */
    public static String storedKey(String value) {
        try {
            return StoredKey.fromColumn(value);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(INVALID);
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
        throw ApiProblem.badRequest(INVALID);
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
