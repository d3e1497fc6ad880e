package dev.filetrail.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.edge.CannedPolicyVerifier.Denial;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CannedPolicyVerifierTest {
    private static final String BASE = "https://d111111abcdef8.cloudfront.net";
    private static final String PATH = "/photos/caf%C3%A9%20night.jpg";
    private static final long EXPIRES = 1_900_000_000L;
    private static final Instant BEFORE_EXPIRY = Instant.ofEpochSecond(EXPIRES - 60);

    private static KeyPair trusted;
    private static KeyPair other;
    private static CannedPolicyVerifier verifier;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        trusted = generator.generateKeyPair();
        other = generator.generateKeyPair();
        verifier = new CannedPolicyVerifier(Map.of("KTRUSTED", trusted.getPublic(), "KOTHER", other.getPublic()));
    }

    @Test
    void acceptsAValidSha1Signature() throws Exception {
        String query = "versionId=v1&" + signedParams(BASE + PATH + "?versionId=v1", EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, PATH, query, BEFORE_EXPIRY)).isNull();
    }

    @Test
    void acceptsAValidSha256SignatureWhenHashAlgorithmSaysSo() throws Exception {
        String params = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA256withRSA");

        assertThat(verifier.verify(BASE, PATH, params + "&Hash-Algorithm=SHA256", BEFORE_EXPIRY)).isNull();
        // The same signature checked as SHA-1 (no Hash-Algorithm) must fail.
        assertThat(verifier.verify(BASE, PATH, params, BEFORE_EXPIRY)).isEqualTo(denied());
    }

    @Test
    void rejectsATamperedPathQueryOrHost() throws Exception {
        String query = "versionId=v1&" + signedParams(BASE + PATH + "?versionId=v1", EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, "/photos/other.jpg", query, BEFORE_EXPIRY)).isEqualTo(denied());
        assertThat(verifier.verify(BASE, PATH, query.replace("versionId=v1", "versionId=v2"), BEFORE_EXPIRY))
                .isEqualTo(denied());
        assertThat(verifier.verify("https://evil.example.net", PATH, query, BEFORE_EXPIRY)).isEqualTo(denied());
        assertThat(verifier.verify(BASE, PATH, query.replace("Expires=" + EXPIRES, "Expires=" + (EXPIRES + 3600)),
                BEFORE_EXPIRY)).isEqualTo(denied());
    }

    @Test
    void rejectsAnUnknownKeyPairIdAndASignatureFromAnotherTrustedKey() throws Exception {
        String signedByTrusted = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, PATH, signedByTrusted.replace("KTRUSTED", "KUNKNOWN"), BEFORE_EXPIRY))
                .isEqualTo(new Denial("InvalidKey", "Unknown Key"));
        assertThat(verifier.verify(BASE, PATH, signedByTrusted.replace("KTRUSTED", "KOTHER"), BEFORE_EXPIRY))
                .isEqualTo(denied());
    }

    @Test
    void rejectsFromTheExpirySecondOn() throws Exception {
        String params = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, PATH, params, Instant.ofEpochSecond(EXPIRES - 1))).isNull();
        assertThat(verifier.verify(BASE, PATH, params, Instant.ofEpochSecond(EXPIRES))).isEqualTo(denied());
        assertThat(verifier.verify(BASE, PATH, params, Instant.ofEpochSecond(EXPIRES + 1))).isEqualTo(denied());
    }

    @Test
    void rejectsMissingParameters() throws Exception {
        String params = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, PATH, null, BEFORE_EXPIRY)).extracting(Denial::code).isEqualTo("MissingKey");
        assertThat(verifier.verify(BASE, PATH, without(params, "Key-Pair-Id"), BEFORE_EXPIRY))
                .extracting(Denial::code).isEqualTo("MissingKey");
        assertThat(verifier.verify(BASE, PATH, without(params, "Signature"), BEFORE_EXPIRY))
                .extracting(Denial::code).isEqualTo("MissingKey");
        assertThat(verifier.verify(BASE, PATH, without(params, "Expires"), BEFORE_EXPIRY))
                .extracting(Denial::code).isEqualTo("MissingKey");
    }

    @Test
    void rejectsBadBase64AndNonNumericExpiryWithoutThrowing() throws Exception {
        String params = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");
        String badSignature = params.replaceAll("Signature=[^&]*", "Signature=not*base64!");

        assertThat(verifier.verify(BASE, PATH, badSignature, BEFORE_EXPIRY)).isEqualTo(denied());
        assertThat(verifier.verify(BASE, PATH, params.replace("Expires=" + EXPIRES, "Expires=soon"), BEFORE_EXPIRY))
                .isEqualTo(denied());
    }

    @Test
    void rejectsACustomPolicyParameter() throws Exception {
        String params = signedParams(BASE + PATH, EXPIRES, trusted, "KTRUSTED", "SHA1withRSA");

        assertThat(verifier.verify(BASE, PATH, params + "&Policy=eyJ9", BEFORE_EXPIRY)).isEqualTo(denied());
    }

    @Test
    void decodesCloudFrontsBase64Variant() {
        // Standard base64 of fb ff is "+/8=": CloudFront writes it "-~8_".
        assertThat(CannedPolicyVerifier.decodeCloudFrontBase64("-~8_")).containsExactly(0xfb, 0xff);
        assertThat(CannedPolicyVerifier.decodeCloudFrontBase64("AAEC")).containsExactly(0, 1, 2);
    }

    @Test
    void cannedPolicyIsCompactJson() {
        assertThat(CannedPolicyVerifier.cannedPolicy("https://d.net/a?b=c", 42)).isEqualTo(
                "{\"Statement\":[{\"Resource\":\"https://d.net/a?b=c\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":42}}}]}");
    }

    private static Denial denied() {
        return new Denial("AccessDenied", "Access denied");
    }

    private static String without(String query, String name) {
        return query.replaceAll("(^|&)" + name + "=[^&]*", "").replaceFirst("^&", "");
    }

    /** Signs the canned policy as CloudFront's signers do, written out here rather than taken from the verifier. */
    private static String signedParams(String resource, long expires, KeyPair keys, String keyPairId,
                                       String algorithm) throws Exception {
        String policy = "{\"Statement\":[{\"Resource\":\"" + resource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + expires + "}}}]}";
        Signature rsa = Signature.getInstance(algorithm);
        rsa.initSign(keys.getPrivate());
        rsa.update(policy.getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getEncoder().encodeToString(rsa.sign())
                .replace('+', '-').replace('=', '_').replace('/', '~');
        return "Expires=" + expires + "&Signature=" + signature + "&Key-Pair-Id=" + keyPairId;
    }
}
