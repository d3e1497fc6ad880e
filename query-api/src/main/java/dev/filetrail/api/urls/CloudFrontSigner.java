package dev.filetrail.api.urls;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.http.ApiProblem;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;

/**
 * Signs CloudFront URLs with a canned policy. Source objects are served at {@code /{key}?versionId=…} (the
 * distribution's default behaviour, origin: the source bucket); derivatives at {@code /{key}}, where every
 * derivative key starts with {@code _derivatives/}: the path pattern of a second behaviour whose origin is the
 * derivatives bucket, so the URL path is the object key and no edge function has to rewrite it.
 *
 * <p>A signer may have no key: a first deploy starts the API before the operator has put the private key in
 * its secret (which then holds a generated placeholder). Rather than crash-looping, the API serves everything
 * else and every signed URL answers 503 naming what is missing, until it restarts with a usable key.
 */
public final class CloudFrontSigner {
    private static final Logger log = LoggerFactory.getLogger(CloudFrontSigner.class);
    public static final String DERIVATIVES_PREFIX = "/_derivatives/";

    private final CloudFrontUtilities utilities = CloudFrontUtilities.create();
    private final String domain;
    private final CloudFrontKeyPair keyPair;
    private final String unavailable;

    public CloudFrontSigner(String domain, CloudFrontKeyPair keyPair) {
        this(domain, keyPair, null);
    }

    private CloudFrontSigner(String domain, CloudFrontKeyPair keyPair, String unavailable) {
        this.domain = domain.endsWith("/") ? domain.substring(0, domain.length() - 1) : domain;
        this.keyPair = keyPair;
        this.unavailable = unavailable;
    }

    /** A signer that signs nothing and says why in each 503. */
    public static CloudFrontSigner unavailable(String domain, String reason) {
        return new CloudFrontSigner(domain, null, reason);
    }

    /**
     * The signer the configuration describes: the key at {@code CLOUDFRONT_PRIVATE_KEY_PATH} (or the PEM of
     * {@code CLOUDFRONT_PRIVATE_KEY}, which ApiConfig writes to such a file), a generated pair in local mode when
     * none is set, and otherwise a signer without a key that names the problem.
     */
    public static CloudFrontSigner forConfig(ApiConfig config) {
        String domain = config.cloudFrontDomain();
        if (config.cloudFrontPrivateKeyPath() == null) {
            if (config.localMode()) {
                return new CloudFrontSigner(domain, CloudFrontKeyPair.generate(config.cloudFrontKeyPairId()));
            }
            return logged(unavailable(domain, "no CloudFront URL-signing key: set CLOUDFRONT_PRIVATE_KEY (the PEM text) "
                    + "or CLOUDFRONT_PRIVATE_KEY_PATH, or FILETRAIL_LOCAL_MODE=true for a generated key"));
        }
        try {
            return new CloudFrontSigner(domain, CloudFrontKeyPair.load(config.cloudFrontKeyPairId(),
                    config.cloudFrontPrivateKeyPath()));
        } catch (RuntimeException e) {
            return logged(unavailable(domain, "no usable CloudFront URL-signing key: CLOUDFRONT_PRIVATE_KEY (or the file "
                    + "CLOUDFRONT_PRIVATE_KEY_PATH names) holds no RSA private key in PEM: " + e.getMessage()
                    + ". Put the private key of key pair " + config.cloudFrontKeyPairId() + " there and restart the API"));
        }
    }

    private static CloudFrontSigner logged(CloudFrontSigner signer) {
        log.error("url signing unavailable reason=\"{}\"", signer.unavailable);
        return signer;
    }

    /** Whether URLs can be signed; when not, {@link #unavailableReason()} says why. */
    public boolean available() {
        return keyPair != null;
    }

    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
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
        if (keyPair == null) {
            throw new ApiProblem(503, "url-signing-unavailable", "URL signing unavailable", unavailable);
        }
        // CloudFront's canned policy has whole-second precision: round up so a TTL is never cut short.
        Instant expires = Instant.ofEpochSecond(Instant.now().plus(ttl).getEpochSecond() + 1);
        String url = utilities.getSignedUrlWithCannedPolicy(r -> r
                .resourceUrl(resourceUrl)
                .privateKey(keyPair.privateKey())
                .keyPairId(keyPair.keyPairId())
                .expirationDate(expires)).url();
        return new SignedUrl(url, expires);
    }

    /** The signing key pair; an error naming the missing key when there is none. */
    public CloudFrontKeyPair keyPair() {
        if (keyPair == null) {
            throw new IllegalStateException(unavailable);
        }
        return keyPair;
    }
}
