package dev.filetrail.bridge.s3event;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Decodes object keys as S3 writes them into notifications: form-URL-encoded UTF-8 ({@code +} is a space). */
public final class S3Keys {
    private S3Keys() {
    }

    public static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("object key is not form-URL-encoded: '" + encoded + "' ("
                    + e.getMessage() + ")", e);
        }
    }
}
