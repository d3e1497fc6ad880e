package dev.filetrail.api.urls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CloudFrontSignerTest {
    private static final String DOMAIN = "https://d111111abcdef8.cloudfront.net";
    private static CloudFrontKeyPair keyPair;
    private static CloudFrontSigner signer;

    @BeforeAll
    static void keys() {
        keyPair = CloudFrontKeyPair.generate("KSIGNER");
        signer = new CloudFrontSigner(DOMAIN + "/", keyPair);
    }

    @Test
    void sourceVersionUrlSignsAPolicyWhoseResourceIsTheUrl() throws Exception {
        CloudFrontSigner.SignedUrl signed = signer.sourceVersion("photos/café night.jpg", "v/1+x", Duration.ofMinutes(5));

        Signed parts = parse(signed.url());
        String expectedResource = DOMAIN + "/photos/caf%C3%A9%20night.jpg?versionId=v%2F1%2Bx";
        assertThat(parts.resource()).isEqualTo(expectedResource);
        assertThat(parts.keyPairId()).isEqualTo("KSIGNER");
        assertThat(parts.expires()).isEqualTo(signed.expiresAt().getEpochSecond());
        String policy = "{\"Statement\":[{\"Resource\":\"" + expectedResource
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + parts.expires() + "}}}]}";
        assertThat(verifies(policy, parts.signature())).isTrue();
        assertThat(verifies(policy.replace("v%2F1%2Bx", "v2"), parts.signature())).isFalse();
    }

    @Test
    void derivativeUrlIsTheKeyUnderTheDomain() throws Exception {
        CloudFrontSigner.SignedUrl signed = signer.derivative("_derivatives/photos/a.jpg/256.webp", Duration.ofMinutes(1));

        Signed parts = parse(signed.url());
        assertThat(parts.resource()).isEqualTo(DOMAIN + "/_derivatives/photos/a.jpg/256.webp");
        String policy = "{\"Statement\":[{\"Resource\":\"" + parts.resource()
                + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":" + parts.expires() + "}}}]}";
        assertThat(verifies(policy, parts.signature())).isTrue();
    }

    @Test
    void derivativeKeysMustStartWithTheDerivativesPrefix() {
        for (String key : List.of("photos/a.jpg", "_derivativesX/a.jpg", "/_derivatives/a.jpg", "x/_derivatives/a.jpg")) {
            assertThatThrownBy(() -> signer.derivative(key, Duration.ofMinutes(1)))
                    .as(key)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("_derivatives/")
                    .hasMessageContaining(key);
        }
    }

    @Test
    void expiryIsRoundedUpToAWholeSecondNeverShortOfTheTtl() {
        Duration ttl = Duration.ofMillis(90_500);
        Instant before = Instant.now();
        CloudFrontSigner.SignedUrl signed = signer.sourceVersion("a.txt", "v1", ttl);
        Instant after = Instant.now();

        assertThat(signed.expiresAt().getNano()).isZero();
        assertThat(signed.expiresAt()).isAfterOrEqualTo(before.plus(ttl))
                .isBeforeOrEqualTo(after.plus(ttl).plusSeconds(1));
        assertThat(parse(signed.url()).expires()).isEqualTo(signed.expiresAt().getEpochSecond());
    }

    private static boolean verifies(String policy, String cloudFrontSignature) throws Exception {
        Signature rsa = Signature.getInstance("SHA1withRSA");
        rsa.initVerify(keyPair.publicKey());
        rsa.update(policy.getBytes(StandardCharsets.UTF_8));
        return rsa.verify(Base64.getDecoder().decode(
                cloudFrontSignature.replace('-', '+').replace('_', '=').replace('~', '/')));
    }

    private record Signed(String resource, long expires, String signature, String keyPairId) {
    }

    /** Splits the three signing parameters off a signed URL; what remains is the resource the policy names. */
    private static Signed parse(String url) {
        URI uri = URI.create(url);
        Map<String, String> signing = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String name = pair.substring(0, pair.indexOf('='));
            if (List.of("Expires", "Signature", "Key-Pair-Id").contains(name)) {
                signing.put(name, pair.substring(pair.indexOf('=') + 1));
            } else {
                kept.add(pair);
            }
        }
        assertThat(signing).containsOnlyKeys("Expires", "Signature", "Key-Pair-Id");
        String resource = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath()
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new Signed(resource, Long.parseLong(signing.get("Expires")), signing.get("Signature"),
                signing.get("Key-Pair-Id"));
    }
}
