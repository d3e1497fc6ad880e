package dev.filetrail.api.changes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes a document tamper-evident: {@code base64url(document).base64url(HMAC-SHA256(key, document))}. The first key
 * signs; any key verifies, so a key can be rotated without turning every client's cursor into a reset.
 */
final class CursorSeal {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private final List<SecretKeySpec> keys;

    CursorSeal(List<String> keys) {
        this.keys = keys.stream().map(k -> new SecretKeySpec(k.getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
                .toList();
    }

    String seal(byte[] document) {
        return ENCODER.encodeToString(document) + "." + ENCODER.encodeToString(mac(keys.get(0), document));
    }

    /** The document, or null when the text is not one this service sealed (with any of its keys). */
    byte[] open(String sealed) {
        if (sealed == null || sealed.length() > 8192) {
            return null;
        }
        int dot = sealed.indexOf('.');
        if (dot <= 0 || dot != sealed.lastIndexOf('.')) {
            return null;
        }
        try {
            byte[] document = DECODER.decode(sealed.substring(0, dot));
            byte[] signature = DECODER.decode(sealed.substring(dot + 1));
            for (SecretKeySpec key : keys) {
                if (MessageDigest.isEqual(mac(key, document), signature)) {
                    return document;
                }
            }
            return null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] mac(SecretKeySpec key, byte[] document) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(document);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
