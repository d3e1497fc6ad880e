package dev.filetrail.api.urls;

import dev.filetrail.api.files.ObjectPath;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;

/**
 * Signs CloudFront URLs with a canned policy. Source objects are served at {@code /{key}?versionId=…} (the
 * distribution's default behaviour, origin: the source bucket); derivatives at {@code /{key}}, where every
 * derivative key starts with {@code _derivatives/}: the path pattern of a second behaviour whose origin is the
 * derivatives bucket, so the URL path is the object key and no edge function has to rewrite it.
 */
public final class CloudFrontSigner {
    public static final String DERIVATIVES_PREFIX = "/_derivatives/";

    private final CloudFrontUtilities utilities = CloudFrontUtilities.create();
    private final String domain;
    private final CloudFrontKeyPair keyPair;

    public CloudFrontSigner(String domain, CloudFrontKeyPair keyPair) {
        this.domain = domain.endsWith("/") ? domain.substring(0, domain.length() - 1) : domain;
        this.keyPair = keyPair;
    }

    /** A signed URL and the moment it stops working. */
    public record SignedUrl(String url, Instant expiresAt) {
    }

    /** The URL of one version of a source object. */
    public SignedUrl sourceVersion(String key, String versionId, Duration ttl) {
        return sign(domain + "/" + ObjectPath.encodePath(key) + "?versionId=" + ObjectPath.encodeSegment(versionId), ttl);
    }

    /** The URL of a derivative object (a thumbnail) in the derivatives bucket. */
    public SignedUrl derivative(String key, Duration ttl) {
        if (!key.startsWith(DERIVATIVES_PREFIX.substring(1))) {
            throw new IllegalArgumentException("derivative keys live under " + DERIVATIVES_PREFIX + ": " + key);
        }
        return sign(domain + "/" + ObjectPath.encodePath(key), ttl);
    }

    private SignedUrl sign(String resourceUrl, Duration ttl) {
        // CloudFront's canned policy has whole-second precision: round up so a TTL is never cut short.
        Instant expires = Instant.ofEpochSecond(Instant.now().plus(ttl).getEpochSecond() + 1);
        String url = utilities.getSignedUrlWithCannedPolicy(r -> r
                .resourceUrl(resourceUrl)
                .privateKey(keyPair.privateKey())
                .keyPairId(keyPair.keyPairId())
                .expirationDate(expires)).url();
        return new SignedUrl(url, expires);
    }

    public CloudFrontKeyPair keyPair() {
        return keyPair;
    }
}
