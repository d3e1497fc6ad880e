package dev.filetrail.aws.cdn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ContentDeliveryTest {
    private static final Template DEFAULTS = Synth.defaults().main();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> distributionConfig(Template template) {
        return (Map<String, Object>) Synth.properties(Synth.resources(template.toJSON(), "AWS::CloudFront::Distribution")
                .values().iterator().next()).get("DistributionConfig");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> behaviors(Template template) {
        Map<String, Object> config = distributionConfig(template);
        List<Map<String, Object>> all = new java.util.ArrayList<>();
        all.add((Map<String, Object>) config.get("DefaultCacheBehavior"));
        all.addAll((List<Map<String, Object>>) config.get("CacheBehaviors"));
        return all;
    }

    @Test
    void everyBehaviorIsHttpsOnlySignedUrlsOnlyWithTheVersionedCachePolicyAndSecurityHeaders() {
        assertThat(behaviors(DEFAULTS)).hasSize(2).allSatisfy(behavior -> {
            assertThat(behavior.get("ViewerProtocolPolicy")).isEqualTo("https-only");
            assertThat(behavior.get("TrustedKeyGroups").toString()).contains("CdnUrlSigners");
            assertThat(behavior.get("CachePolicyId").toString()).contains("CdnVersionedObjects");
            assertThat(behavior.get("ResponseHeadersPolicyId").toString()).contains("CdnSecurityHeaders");
            assertThat(behavior.get("AllowedMethods")).isEqualTo(List.of("GET", "HEAD"));
        });
        assertThat(behaviors(DEFAULTS).get(1).get("PathPattern")).isEqualTo("_derivatives/*");
    }

    @Test
    void bothBucketsAreOriginsBehindOriginAccessControlOnly() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> origins = (List<Map<String, Object>>) distributionConfig(DEFAULTS).get("Origins");

        assertThat(origins).hasSize(2);
        assertThat(origins).extracting(o -> o.get("DomainName").toString())
                .anySatisfy(d -> assertThat(d).contains("BucketsSource"))
                .anySatisfy(d -> assertThat(d).contains("BucketsDerivatives"));
        assertThat(origins).allSatisfy(origin -> {
            assertThat(origin.get("OriginAccessControlId").toString()).contains("CdnOriginAccessControl");
            // No legacy origin access identity.
            assertThat(origin.get("S3OriginConfig")).isEqualTo(Map.of("OriginAccessIdentity", ""));
        });
        DEFAULTS.hasResourceProperties("AWS::CloudFront::OriginAccessControl", Map.of(
                "OriginAccessControlConfig", Match.objectLike(Map.of(
                        "OriginAccessControlOriginType", "s3",
                        "SigningBehavior", "always",
                        "SigningProtocol", "sigv4"))));
    }

    @Test
    void bucketPoliciesLetOnlyThisDistributionReadObjectsAndTheirVersions() {
        for (String bucket : List.of("BucketsSource", "BucketsDerivatives")) {
            DEFAULTS.hasResourceProperties("AWS::S3::BucketPolicy", Map.of(
                    "Bucket", Map.of("Ref", Match.stringLikeRegexp(bucket + "[0-9A-F]{8}")),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Map.of(
                            "Effect", "Allow",
                            "Principal", Map.of("Service", "cloudfront.amazonaws.com"),
                            // GetObjectVersion: ?versionId= requests are authorised by it, not by GetObject.
                            "Action", List.of("s3:GetObject", "s3:GetObjectVersion"),
                            "Condition", Map.of("StringEquals", Map.of("AWS:SourceArn", Map.of("Fn::Join", List.of("",
                                    Match.arrayWith(List.of(Map.of("Ref", Match.stringLikeRegexp("CdnDistribution.*")))))))),
                            "Resource", Match.anyValue()))))));
        }
    }

    @Test
    void cacheKeyIncludesVersionIdAndNothingElse() {
        DEFAULTS.hasResourceProperties("AWS::CloudFront::CachePolicy", Map.of(
                "CachePolicyConfig", Match.objectLike(Map.of(
                        "ParametersInCacheKeyAndForwardedToOrigin", Match.objectLike(Map.of(
                                "QueryStringsConfig", Map.of(
                                        "QueryStringBehavior", "whitelist",
                                        "QueryStrings", List.of("versionId")),
                                "HeadersConfig", Map.of("HeaderBehavior", "none"),
                                "CookiesConfig", Map.of("CookieBehavior", "none")))))));
    }

    @Test
    void responseHeadersPolicySetsHstsNosniffAndFrameOptions() {
        Capture hsts = new Capture();
        DEFAULTS.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Map.of(
                "ResponseHeadersPolicyConfig", Match.objectLike(Map.of(
                        "SecurityHeadersConfig", Match.objectLike(Map.of(
                                "StrictTransportSecurity", hsts,
                                "ContentTypeOptions", Map.of("Override", true),
                                "FrameOptions", Map.of("FrameOption", "DENY", "Override", true)))))));
        assertThat(hsts.asObject()).containsEntry("IncludeSubdomains", true).containsEntry("Override", true);
        assertThat(((Number) hsts.asObject().get("AccessControlMaxAgeSec")).intValue()).isGreaterThanOrEqualTo(31_536_000);
    }

    @Test
    void noLambdaAtEdgeOrFunctionIsNeeded() {
        assertThat(behaviors(DEFAULTS)).allSatisfy(behavior -> {
            assertThat(behavior).doesNotContainKey("LambdaFunctionAssociations");
            assertThat(behavior).doesNotContainKey("FunctionAssociations");
        });
        DEFAULTS.resourceCountIs("AWS::CloudFront::Function", 0);
    }

    @Test
    void keyGroupHoldsTheUrlSigningPublicKey() {
        DEFAULTS.hasResourceProperties("AWS::CloudFront::KeyGroup", Map.of(
                "KeyGroupConfig", Match.objectLike(Map.of(
                        "Items", List.of(Map.of("Ref", Match.stringLikeRegexp("CdnUrlSigningKey.*")))))));
        Synth.tuned().main().hasResourceProperties("AWS::CloudFront::PublicKey", Map.of(
                "PublicKeyConfig", Match.objectLike(Map.of("EncodedKey", Synth.TEST_PUBLIC_KEY))));
        Synth.defaults().annotations().hasWarning("/Filetrail/Cdn", Match.stringLikeRegexp(".*placeholder.*"));
        Synth.tuned().annotations().hasNoWarning("/Filetrail/Cdn", Match.anyValue());
    }

    @Test
    void privateKeyLivesInSecretsManagerAndNeverInTheTemplate() {
        // The secret has a value from the first deploy on (a generated placeholder), so ECS can always inject it:
        // with the placeholder the API starts without URL signing (query-api's UrlSigningWithoutKeyTest) instead
        // of failing to start; the operator's put-secret-value is never overwritten by a later deploy.
        DEFAULTS.hasResource("AWS::SecretsManager::Secret", Map.of(
                "Properties", Map.of(
                        "Name", "filetrail/cloudfront-private-key",
                        "Description", Match.anyValue(),
                        "GenerateSecretString", Map.of("ExcludePunctuation", true, "PasswordLength", 32)),
                "DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain"));
        assertThat(Synth.defaults().json().toString()).doesNotContain("PRIVATE KEY");
        // The API gets it injected from the secret, never as a plain environment value.
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(Match.objectLike(Map.of(
                "Name", "api",
                "Secrets", Match.arrayWith(List.of(Map.of(
                        "Name", "CLOUDFRONT_PRIVATE_KEY",
                        "ValueFrom", Map.of("Ref", Match.stringLikeRegexp("CdnUrlSigningPrivateKey.*"))))))))));
    }

    @Test
    void customDomainUsesItsCertificateAndModernTls() {
        Map<String, Object> config = distributionConfig(Synth.tuned().main());
        assertThat(config.get("Aliases")).isEqualTo(List.of("files.example.com"));
        assertThat(config.get("ViewerCertificate")).isEqualTo(Map.of(
                "AcmCertificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/abc",
                "MinimumProtocolVersion", "TLSv1.2_2021",
                "SslSupportMethod", "sni-only"));
        Synth.tuned().main().hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(Match.objectLike(Map.of(
                "Name", "api",
                "Environment", Match.arrayWith(List.of(Map.of("Name", "CLOUDFRONT_URL", "Value", "https://files.example.com"))))))));
    }
}
