package dev.filetrail.api.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request path under {@code /v1/buckets/{bucket}/files/}, parsed from the raw (still percent-encoded) URI so
 * that a key sent as one segment with {@code %2F} and a key sent as several segments both work. Route words
 * are matched from the end: {@code …/versions}, {@code …/versions/{v}/url}, {@code …/versions/{v}/thumbnails/{n}/url},
 * {@code …/thumbnails/{n}/url}, {@code …/shares}, {@code …/versions/{v}/restore}, {@code …/undelete}; everything before them is the key. A key whose own last
 * segments spell a route word must be sent as one encoded segment, which is never ambiguous. A key no URL path can
 * carry (U+0000: Jetty refuses {@code %00} in any path before routing) is sent as the query parameter {@code key},
 * with the single segment {@value #KEY_IN_QUERY} in its place: {@code …/files/~/versions?key=a%00b}.
 */
public record ObjectPath(String bucket, String key, Target target, String versionId, Integer thumbnailSize) {

    /** What the path asks for. */
    public enum Target { FILE, VERSIONS, VERSION_URL, VERSION_EVENTS, THUMBNAIL_URL, SHARES, RESTORE, UNDELETE }

    private static final String PREFIX = "/v1/buckets/";
    /** The Javalin path parameter that stands for the key in the file routes' paths. */
    public static final String KEY = "<key>";
    private static final String ATTRIBUTE = "filetrail.objectPath";
    /** The key segment that says "the key is the {@code key} query parameter". */
    public static final String KEY_IN_QUERY = "~";

    /**
     * @param keyParameter the decoded {@code key} query parameter, or null when the key is in the path
     */
    public static ObjectPath parse(String rawPath, String keyParameter) {
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            throw ApiProblem.notFound("no such route");
        }
        List<String> segments = new ArrayList<>(Arrays.asList(rawPath.substring(PREFIX.length()).split("/", -1)));
        if (segments.size() < 3 || !"files".equals(segments.get(1))) {
            throw ApiProblem.notFound("no such route");
        }
        String bucket = Requests.bucket(decode(segments.get(0)));
        List<String> rest = segments.subList(2, segments.size());
        int n = rest.size();
        Target target = Target.FILE;
        String versionId = null;
        Integer size = null;
        int keyEnd = n;
        if (n >= 6 && word(rest, n - 5, "versions") && word(rest, n - 3, "thumbnails") && word(rest, n - 1, "url")) {
            target = Target.THUMBNAIL_URL;
            versionId = decode(rest.get(n - 4));
            size = size(decode(rest.get(n - 2)));
            keyEnd = n - 5;
        } else if (n >= 4 && word(rest, n - 3, "versions") && word(rest, n - 1, "url")) {
            target = Target.VERSION_URL;
            versionId = decode(rest.get(n - 2));
            keyEnd = n - 3;
        } else if (n >= 4 && word(rest, n - 3, "versions") && word(rest, n - 1, "events")) {
            target = Target.VERSION_EVENTS;
            versionId = decode(rest.get(n - 2));
            keyEnd = n - 3;
        } else if (n >= 4 && word(rest, n - 3, "versions") && word(rest, n - 1, "restore")) {
            target = Target.RESTORE;
            versionId = decode(rest.get(n - 2));
            keyEnd = n - 3;
        } else if (n >= 4 && word(rest, n - 3, "thumbnails") && word(rest, n - 1, "url")) {
            target = Target.THUMBNAIL_URL;
            size = size(decode(rest.get(n - 2)));
            keyEnd = n - 3;
        } else if (n >= 2 && word(rest, n - 1, "versions")) {
            target = Target.VERSIONS;
            keyEnd = n - 1;
        } else if (n >= 2 && word(rest, n - 1, "shares")) {
            target = Target.SHARES;
            keyEnd = n - 1;
        } else if (n >= 2 && word(rest, n - 1, "undelete")) {
            target = Target.UNDELETE;
            keyEnd = n - 1;
        }
        if (keyParameter != null) {
            if (keyEnd != 1 || !KEY_IN_QUERY.equals(rest.get(0))) {
                throw ApiProblem.badRequest("with the key as the 'key' query parameter, the path's key segment must be '"
                        + KEY_IN_QUERY + "' (…/files/" + KEY_IN_QUERY + "/versions?key=…)");
            }
            if (versionId != null) {
                Requests.versionId(versionId);
            }
            return new ObjectPath(bucket, Requests.key(keyParameter), target, versionId, size);
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < keyEnd; i++) {
            if (i > 0) {
                key.append('/');
            }
            key.append(decode(rest.get(i)));
        }
        if (versionId != null) {
            Requests.versionId(versionId);
        }
        return new ObjectPath(bucket, Requests.key(key.toString()), target, versionId, size);
    }

    /** Something a route does with the file path it was sent. */
    @FunctionalInterface
    public interface Handler {
        void handle(Context ctx, ObjectPath path) throws Exception;
    }

    /**
     * Parses the path of a request routed to a file route (one whose path holds {@value #KEY}), before the scope
     * check, so that a malformed path is a 400 whoever sends it; other routes are left alone.
     */
    public static void remember(Context ctx) {
        io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        if (matched != null && matched.path.contains(KEY)) {
            ctx.attribute(ATTRIBUTE, parse(ctx.req().getRequestURI(), ctx.queryParam("key")));
        }
    }

    /** The parsed path of a request to a file route (after {@link #remember}), or null for other routes. */
    public static ObjectPath of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    /**
     * The route handler for paths that ask for {@code target}. Javalin matches the same words from the end as
     * {@link #parse} does; a path the two read differently (a key ending in a route word and a slash) has no route.
     */
    public static io.javalin.http.Handler to(Target target, Handler handler) {
        return ctx -> {
            ObjectPath path = ctx.attribute(ATTRIBUTE);
            if (path == null) {
                path = parse(ctx.req().getRequestURI(), ctx.queryParam("key"));
            }
            if (path.target() != target) {
                throw ApiProblem.notFound("no such route");
            }
            handler.handle(ctx, path);
        };
    }

    private static boolean word(List<String> segments, int index, String word) {
        return segments.get(index).equals(word);
    }

    private static Integer size(String value) {
        try {
            int size = Integer.parseInt(value);
            if (size < 1 || size > 8192) {
                throw ApiProblem.badRequest("thumbnail size must be 1..8192, got " + size);
            }
            return size;
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("thumbnail size must be an integer, got '" + value + "'");
        }
    }

    /** RFC 3986 percent-decoding of one path segment: {@code +} stays a plus, bad escapes and bad UTF-8 are 400. */
    public static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw ApiProblem.badRequest("path has a truncated percent-escape");
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiProblem.badRequest("path has an invalid percent-escape");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < segment.length()) {
                    encoded = segment.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                bytes.writeBytes(encoded);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiProblem.badRequest("path is not valid UTF-8 after percent-decoding");
        }
    }

    /** RFC 3986 encoding of a key for a URL path: unreserved characters stay, {@code /} separates segments. */
    public static String encodePath(String key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

    /** Encodes a value as one path segment or query value ({@code /} too). */
    public static String encodeSegment(String value) {
        return encodePath(value).replace("/", "%2F");
    }
}
