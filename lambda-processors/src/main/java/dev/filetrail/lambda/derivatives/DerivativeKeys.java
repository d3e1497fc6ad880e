package dev.filetrail.lambda.derivatives;

import dev.filetrail.events.object.EventIds;
import dev.filetrail.lambda.source.SourceVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic derivative keys: {@code _derivatives/{kind}/{sourceBucket}/{encoded key}/{encoded versionId}/{name}}.
 * Every key starts with {@value #PREFIX} because that is the CloudFront path pattern routed to the derivatives
 * bucket: the URL path is the object key itself, so no edge function has to rewrite it. The
 * source key is percent-encoded (a slash becomes %2F), so every source version has its own folder and no
 * source key can reach into another's. A key too long for S3's 1024 bytes is replaced by its SHA-256.
 */
public final class DerivativeKeys {
    public static final String PREFIX = "_derivatives/";
    public static final String THUMBNAILS = "thumbnails";
    public static final String METADATA = "metadata";
    /** The result written after all of one version's derivatives: its presence means the work is done. */
    public static final String RESULT_NAME = "result.json";

    private static final int MAX_KEY_BYTES = 1024;

    private DerivativeKeys() {
    }

    public static String folder(String kind, SourceVersion source) {
        String folder = PREFIX + kind + "/" + source.bucket() + "/" + encode(source.key()) + "/"
                + encode(source.versionOrNull()) + "/";
        if (folder.length() + 32 > MAX_KEY_BYTES) {
            folder = PREFIX + kind + "/" + source.bucket() + "/sha256-" + EventIds.sha256Hex(source.key()) + "/"
                    + encode(source.versionOrNull()) + "/";
        }
        return folder;
    }

    public static String thumbnail(SourceVersion source, int size, String extension) {
        return folder(THUMBNAILS, source) + size + "." + extension;
    }

    public static String result(String kind, SourceVersion source) {
        return folder(kind, source) + RESULT_NAME;
    }

    /** RFC 3986 percent-encoding (space as %20, never +), which is also safe in an HTTP header. */
    public static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
