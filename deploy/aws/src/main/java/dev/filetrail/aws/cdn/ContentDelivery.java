package dev.filetrail.aws.cdn;

import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.processing.Processors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.cloudfront.AccessLevel;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CacheCookieBehavior;
import software.amazon.awscdk.services.cloudfront.CacheHeaderBehavior;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.CacheQueryStringBehavior;
import software.amazon.awscdk.services.cloudfront.CachedMethods;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.IOrigin;
import software.amazon.awscdk.services.cloudfront.KeyGroup;
import software.amazon.awscdk.services.cloudfront.PriceClass;
import software.amazon.awscdk.services.cloudfront.PublicKey;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.S3OriginAccessControl;
import software.amazon.awscdk.services.cloudfront.SecurityPolicyProtocol;
import software.amazon.awscdk.services.cloudfront.Signing;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOriginWithOACProps;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * The CloudFront distribution in front of both buckets: origin access control, signed URLs only (trusted key
 * group), HTTPS only, a cache key that includes {@code versionId}, and security response headers — all
 * CloudFront-native, so no Lambda@Edge is involved.
 */
public final class ContentDelivery extends Construct {
    /** The only query string that reaches the cache key and S3: each object version is its own cache entry. */
    public static final String VERSION_QUERY = "versionId";
    public static final String DERIVATIVES_PATH = "/" + Processors.DERIVATIVES_PREFIX + "*";
    public static final String PLACEHOLDER_PUBLIC_KEY = "placeholder-cloudfront-public-key.pem";

    private final Distribution distribution;
    private final PublicKey publicKey;
    private final KeyGroup keyGroup;
    private final CachePolicy cachePolicy;
    private final ResponseHeadersPolicy headersPolicy;
    private final Secret privateKey;

    public ContentDelivery(Construct scope, String id, StackConfig config, IBucket source, IBucket derivatives,
                           Optional<IKey> key) {
        super(scope, id);
        StackConfig.Cdn cdn = config.cdn();
        String prefix = config.stackName().toLowerCase();

        publicKey = PublicKey.Builder.create(this, "UrlSigningKey")
                .comment("Public half of the key the query-api signs CloudFront URLs with")
                .encodedKey(publicKeyPem(cdn))
                .build();
        keyGroup = KeyGroup.Builder.create(this, "UrlSigners").items(List.of(publicKey)).build();

        // The private half never enters the template: the stack makes the secret and the operator puts the PEM in
        // it (README, "First deploy, step by step"). Until then it holds a generated placeholder, with which the
        // API starts anyway and answers signed-URL requests with 503 (never a crash loop on the placeholder).
        Secret.Builder secret = Secret.Builder.create(this, "UrlSigningPrivateKey")
                .secretName(prefix + "/cloudfront-private-key")
                .description("PEM private key for CloudFront signed URLs; replace the generated placeholder")
                .generateSecretString(SecretStringGenerator.builder().passwordLength(32).excludePunctuation(true).build())
                .removalPolicy(RemovalPolicy.RETAIN);
        key.ifPresent(secret::encryptionKey);
        privateKey = secret.build();

        cachePolicy = CachePolicy.Builder.create(this, "VersionedObjects")
                .cachePolicyName(prefix + "-versioned-objects")
                .comment("Cache key: path + versionId; signed-URL parameters stay out of it")
                .queryStringBehavior(CacheQueryStringBehavior.allowList(VERSION_QUERY))
                .headerBehavior(CacheHeaderBehavior.none())
                .cookieBehavior(CacheCookieBehavior.none())
                .defaultTtl(Duration.days(1))
                .minTtl(Duration.seconds(0))
                // A (key, versionId) pair names immutable bytes, so it may stay cached for as long as CloudFront keeps it.
                .maxTtl(Duration.days(365))
                .enableAcceptEncodingGzip(true)
                .enableAcceptEncodingBrotli(true)
                .build();

        headersPolicy = ResponseHeadersPolicy.Builder.create(this, "SecurityHeaders")
                .responseHeadersPolicyName(prefix + "-security-headers")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(730)).includeSubdomains(true).preload(true)
                                .override(true).build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder()
                                .frameOption(HeadersFrameOption.DENY).override(true).build())
                        // Signed URLs carry credentials in the query string; never leak them in Referer.
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.NO_REFERRER).override(true).build())
                        // User uploads are served from this origin: a sandbox keeps an uploaded HTML file inert.
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy("default-src 'none'; img-src 'self'; media-src 'self'; "
                                        + "style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox")
                                .override(true).build())
                        .build())
                .build();

        S3OriginAccessControl oac = S3OriginAccessControl.Builder.create(this, "OriginAccessControl")
                .originAccessControlName(prefix + "-" + config.region() + "-buckets")
                .description("CloudFront signs every request to the Filetrail buckets")
                .signing(Signing.SIGV4_ALWAYS)
                .build();
        // GetObjectVersion as well as GetObject: a request with ?versionId= is authorised by the former.
        IOrigin sourceOrigin = S3BucketOrigin.withOriginAccessControl(source, S3BucketOriginWithOACProps.builder()
                .originAccessControl(oac)
                .originAccessLevels(List.of(AccessLevel.READ, AccessLevel.READ_VERSIONED))
                .build());
        IOrigin derivativesOrigin = S3BucketOrigin.withOriginAccessControl(derivatives, S3BucketOriginWithOACProps.builder()
                .originAccessControl(oac)
                .originAccessLevels(List.of(AccessLevel.READ, AccessLevel.READ_VERSIONED))
                .build());

        Distribution.Builder builder = Distribution.Builder.create(this, "Distribution")
                .comment("Filetrail files and thumbnails (signed URLs only)")
                .defaultBehavior(behavior(sourceOrigin))
                .additionalBehaviors(Map.of(DERIVATIVES_PATH.substring(1), behavior(derivativesOrigin)))
                .priceClass(PriceClass.valueOf(priceClassConstant(cdn.priceClass())))
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .enableIpv6(true);
        cdn.domainName().ifPresent(domain -> builder
                .domainNames(List.of(domain))
                .certificate(Certificate.fromCertificateArn(this, "Certificate", cdn.certificateArn().orElseThrow()))
                .minimumProtocolVersion(SecurityPolicyProtocol.TLS_V1_2_2021));
        distribution = builder.build();
    }

    public Distribution distribution() {
        return distribution;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public KeyGroup keyGroup() {
        return keyGroup;
    }

    public CachePolicy cachePolicy() {
        return cachePolicy;
    }

    public ResponseHeadersPolicy headersPolicy() {
        return headersPolicy;
    }

    public Secret privateKey() {
        return privateKey;
    }

    private BehaviorOptions behavior(IOrigin origin) {
        return BehaviorOptions.builder()
                .origin(origin)
                .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                .allowedMethods(AllowedMethods.ALLOW_GET_HEAD)
                .cachedMethods(CachedMethods.CACHE_GET_HEAD)
                .cachePolicy(cachePolicy)
                .responseHeadersPolicy(headersPolicy)
                .trustedKeyGroups(List.of(keyGroup))
                .compress(true)
                .build();
    }

    private static String priceClassConstant(String priceClass) {
        return switch (priceClass) {
            case "PriceClass_100" -> "PRICE_CLASS_100";
            case "PriceClass_200" -> "PRICE_CLASS_200";
            default -> "PRICE_CLASS_ALL";
        };
    }

    private String publicKeyPem(StackConfig.Cdn cdn) {
        if (cdn.publicKeyPem().isPresent()) {
            return cdn.publicKeyPem().get().replace("\\n", "\n").trim() + "\n";
        }
        Path file = cdn.publicKeyFile().map(Path::of).map(Path::toAbsolutePath)
                .orElse(ModuleHome.asset(PLACEHOLDER_PUBLIC_KEY));
        if (cdn.publicKeyFile().isEmpty()) {
            // The placeholder's private half was discarded when it was made: nothing can be signed for it.
            Annotations.of(this).addWarningV2("filetrail:placeholder-cloudfront-key",
                    "CloudFront URL-signing key is a placeholder: pass -c cloudFrontPublicKeyFile=<public PEM>");
        }
        try {
            return Files.readString(file).trim() + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CloudFront public key " + file, e);
        }
    }
}
