package dev.filetrail.api.shares;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof, kept in a cookie scoped to one link's path, that this browser gave the link's password, so the
 * page's preview and download routes can serve it without asking again. The value is an expiry and an
 * HMAC-SHA256 over the link id, its password hash and that expiry, keyed from the CloudFront signing key
 * that every API instance already shares: no session store, and any instance can check it.
 */
final class UnlockCookie {
    static final String NAME = "ft_unlock";
    static final Duration LIFETIME = Duration.ofMinutes(30);
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final boolean secure;

    /** @param keyMaterial secret bytes the instances share; @param secure whether the page is served over HTTPS */
    UnlockCookie(byte[] keyMaterial, boolean secure) {
        this.key = new SecretKeySpec(sha256("filetrail share unlock v1", keyMaterial), ALGORITHM);
        this.secure = secure;
    }

    /** The {@code Set-Cookie} value that unlocks the link at {@code /s/{token}} until {@code now + LIFETIME}. */
    String issue(String token, String linkId, String passwordHash, Instant now) {
        long expires = now.plus(LIFETIME).getEpochSecond();
        return NAME + "=" + expires + "." + mac(linkId, passwordHash, expires) + "; Path=/s/" + token + "; Max-Age="
                + LIFETIME.toSeconds() + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** Whether a cookie value unlocks this link at {@code now}. */
    boolean unlocks(String value, String linkId, String passwordHash, Instant now) {
        if (value == null) {
            return false;
        }
        int dot = value.indexOf('.');
        if (dot <= 0) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        if (now.getEpochSecond() >= expires) {
            return false;
        }
        return MessageDigest.isEqual(mac(linkId, passwordHash, expires).getBytes(StandardCharsets.US_ASCII),
                value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String linkId, String passwordHash, long expires) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] tag = mac.doFinal((linkId + "\n" + passwordHash + "\n" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JVM", e);
        }
    }

    private static byte[] sha256(String label, byte[] material) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(label.getBytes(StandardCharsets.UTF_8));
            digest.update(material);
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
