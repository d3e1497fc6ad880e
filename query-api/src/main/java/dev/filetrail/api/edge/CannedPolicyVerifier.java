package dev.filetrail.api.edge;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Checks a canned-policy signed URL as CloudFront does: the three query parameters are present, the key pair
 * is trusted, the expiry is in the future, and the RSA signature (SHA-1, or SHA-256 when {@code Hash-Algorithm}
 * says so) covers the policy built from the URL without those parameters.
 */
public final class CannedPolicyVerifier {
    private final Map<String, PublicKey> trustedKeys;

    public CannedPolicyVerifier(Map<String, PublicKey> trustedKeys) {
        this.trustedKeys = Map.copyOf(trustedKeys);
    }

    /** Why a request was refused, in CloudFront's words. */
    public record Denial(String code, String message) {
    }

    /**
     * @param baseUrl  scheme and host the viewer used, e.g. {@code https://d111111abcdef8.cloudfront.net}
     * @param rawPath  the path exactly as sent (still percent-encoded)
     * @param rawQuery the query exactly as sent, or null
     * @return null when the URL is valid, else why not
     */
    public Denial verify(String baseUrl, String rawPath, String rawQuery, Instant now) {
        String expires = null;
        String signature = null;
        String keyPairId = null;
        String hashAlgorithm = null;
        List<String> kept = new ArrayList<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                switch (name) {
                    case "Expires" -> expires = value;
                    case "Signature" -> signature = value;
                    case "Key-Pair-Id" -> keyPairId = value;
                    case "Hash-Algorithm" -> hashAlgorithm = value;
                    case "Policy" -> {
                        return new Denial("AccessDenied", "Access denied");
                    }
                    default -> kept.add(pair);
                }
            }
        }
        if (keyPairId == null || keyPairId.isEmpty()) {
            return new Denial("MissingKey", "Missing Key-Pair-Id query parameter or cookie value");
        }
        if (signature == null || expires == null) {
            return new Denial("MissingKey", "Missing Signature or Expires query parameter");
        }
        PublicKey key = trustedKeys.get(keyPairId);
        if (key == null) {
            return new Denial("InvalidKey", "Unknown Key");
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return new Denial("AccessDenied", "Access denied");
        }
        if (now.getEpochSecond() >= expiresAt) {
            return new Denial("AccessDenied", "Access denied");
        }
        String resource = baseUrl + rawPath + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        String policy = cannedPolicy(resource, expiresAt);
        try {
            byte[] signatureBytes = decodeCloudFrontBase64(signature);
            Signature rsa = Signature.getInstance("SHA256".equals(hashAlgorithm) ? "SHA256withRSA" : "SHA1withRSA");
            rsa.initVerify(key);
            rsa.update(policy.getBytes(StandardCharsets.UTF_8));
            if (!rsa.verify(signatureBytes)) {
                return new Denial("AccessDenied", "Access denied");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Denial("AccessDenied", "Access denied");
        }
        return null;
    }

    /** The canned policy CloudFront rebuilds from the request: compact JSON, no whitespace. */
    public static String cannedPolicy(String resourceUrl, long expiresEpochSeconds) {
        return "{\"Statement\":[{\"Resource\":\"" + resourceUrl + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":"
                + expiresEpochSeconds + "}}}]}";
    }

    /** CloudFront's URL-safe base64: {@code -} for {@code +}, {@code _} for {@code =}, {@code ~} for {@code /}. */
    public static byte[] decodeCloudFrontBase64(String value) {
        return Base64.getDecoder().decode(value.replace('-', '+').replace('_', '=').replace('~', '/'));
    }
}
