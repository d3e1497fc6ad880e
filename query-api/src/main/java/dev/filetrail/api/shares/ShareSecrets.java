package dev.filetrail.api.shares;

import dev.filetrail.events.object.EventIds;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Share-link secrets: tokens of 256 bits from {@link SecureRandom} (base64url, stored only as SHA-256) and
 * passwords hashed with PBKDF2-HMAC-SHA256 at 600,000 iterations and a 128-bit salt; every comparison is
 * constant-time.
 */
public final class ShareSecrets {
    public static final int TOKEN_BYTES = 32;
    public static final int PBKDF2_ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SCHEME = "pbkdf2-sha256";

    private ShareSecrets() {
    }

    public static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether a string has the shape of a token, so garbage never reaches the database. */
    public static boolean looksLikeToken(String token) {
        return token != null && token.length() == 43 && token.chars().allMatch(c ->
                c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_');
    }

    public static String tokenHash(String token) {
        return EventIds.sha256Hex(token);
    }

    public static boolean sameHash(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    public static String newLinkId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "shl_" + java.util.HexFormat.of().formatHex(bytes);
    }

    /** {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}, base64 salt and hash. */
    public static String hashPassword(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, PBKDF2_ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + PBKDF2_ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    public static boolean verifyPassword(String password, String stored) {
        if (password == null || stored == null) {
            return false;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is required by every JVM", e);
        }
    }
}
