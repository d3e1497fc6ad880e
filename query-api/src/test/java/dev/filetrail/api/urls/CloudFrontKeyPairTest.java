package dev.filetrail.api.urls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.edge.CannedPolicyVerifier;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudFrontKeyPairTest {
    private static KeyPair pair;

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        pair = generator.generateKeyPair();
    }

    @Test
    void loadsPkcs8Pem() throws Exception {
        Path pem = write("pkcs8.pem", pem("PRIVATE KEY", pair.getPrivate().getEncoded()));

        CloudFrontKeyPair loaded = CloudFrontKeyPair.load("K1", pem);

        assertThat(loaded.keyPairId()).isEqualTo("K1");
        assertSignsForTheGeneratedPublicKey(loaded.privateKey());
        assertThat(loaded.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    }

    @Test
    void loadsPkcs1Pem() throws Exception {
        byte[] pkcs1 = pkcs1Der((RSAPrivateCrtKey) pair.getPrivate());
        // The hand-built DER is the real format: PKCS#8 wraps exactly these bytes as its final OCTET STRING.
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        assertThat(Arrays.copyOfRange(pkcs8, pkcs8.length - pkcs1.length, pkcs8.length)).isEqualTo(pkcs1);
        Path pem = write("pkcs1.pem", pem("RSA PRIVATE KEY", pkcs1));

        CloudFrontKeyPair loaded = CloudFrontKeyPair.load("K2", pem);

        assertSignsForTheGeneratedPublicKey(loaded.privateKey());
        assertThat(loaded.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    }

    @Test
    void loadsTheKeyBlockAmidExplanatoryTextAndCrlfLines() throws Exception {
        String text = "Bag Attributes\r\n    friendlyName: cloudfront \u00e9\r\n"
                + pem("RSA PRIVATE KEY", pkcs1Der((RSAPrivateCrtKey) pair.getPrivate())).replace("\n", "\r\n")
                + "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n";
        Path pem = dir.resolve("bundle.pem");
        Files.write(pem, text.getBytes(StandardCharsets.UTF_8));

        assertSignsForTheGeneratedPublicKey(CloudFrontKeyPair.load("K3", pem).privateKey());
    }

    @Test
    void loadedKeySignsCloudFrontUrlsTheEdgeAccepts() throws Exception {
        Path pem = write("pkcs1.pem", pem("RSA PRIVATE KEY", pkcs1Der((RSAPrivateCrtKey) pair.getPrivate())));
        CloudFrontSigner signer = new CloudFrontSigner("https://d1.example.net", CloudFrontKeyPair.load("K4", pem));

        String url = signer.sourceVersion("a/b.txt", "v1", Duration.ofMinutes(5)).url();

        URI uri = URI.create(url);
        CannedPolicyVerifier verifier = new CannedPolicyVerifier(Map.of("K4", pair.getPublic()));
        assertThat(verifier.verify("https://d1.example.net", uri.getRawPath(), uri.getRawQuery(),
                Instant.now())).isNull();
    }

    @Test
    void malformedBase64IsAClearErrorNamingTheFile() throws Exception {
        Path pem = write("broken.pem", "-----BEGIN RSA PRIVATE KEY-----\nnot*base64!\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pem.toString())
                .hasMessageContaining("not an RSA private key");
    }

    @Test
    void truncatedPkcs1IsAClearErrorNamingTheFile() throws Exception {
        byte[] der = pkcs1Der((RSAPrivateCrtKey) pair.getPrivate());
        Path pem = write("truncated.pem", pem("RSA PRIVATE KEY", Arrays.copyOf(der, der.length / 2)));

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pem.toString())
                .hasMessageContaining("truncated PKCS#1 key");
    }

    @Test
    void garbagePkcs8IsAClearErrorNamingTheFile() throws Exception {
        Path pem = write("garbage.pem", pem("PRIVATE KEY", "definitely not DER".getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(pem.toString());
    }

    @Test
    void publicKeyOrEncryptedKeyFilesAreRefusedWithTheReason() throws Exception {
        Path publicKey = write("public.pem", pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Path encrypted = write("encrypted.pem", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", publicKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(publicKey.toString())
                .hasMessageContaining("no -----BEGIN PRIVATE KEY-----");
        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", encrypted))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(encrypted.toString())
                .hasMessageContaining("encrypted");
    }

    @Test
    void multiPrimeVersionIsRefused() throws Exception {
        byte[] der = pkcs1Der((RSAPrivateCrtKey) pair.getPrivate(), BigInteger.ONE);
        Path pem = write("multiprime.pem", pem("RSA PRIVATE KEY", der));

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", pem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multi-prime");
    }

    @Test
    void missingFileIsAnIoErrorNamingTheFile() {
        Path missing = dir.resolve("absent.pem");

        assertThatThrownBy(() -> CloudFrontKeyPair.load("K", missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void privateKeyPemRoundTrips() throws Exception {
        CloudFrontKeyPair generated = CloudFrontKeyPair.generate("K5");
        Path pem = write("roundtrip.pem", generated.privateKeyPem());

        CloudFrontKeyPair loaded = CloudFrontKeyPair.load("K5", pem);

        assertThat(loaded.privateKey().getEncoded()).isEqualTo(generated.privateKey().getEncoded());
        assertThat(loaded.publicKeyPem()).isEqualTo(generated.publicKeyPem());
    }

    private static void assertSignsForTheGeneratedPublicKey(PrivateKey privateKey) throws Exception {
        byte[] message = "{\"Statement\":[]}".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA1withRSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        assertThat(verifies(pair.getPublic(), message, signature)).isTrue();
        byte[] other = "{\"Statement\":[1]}".getBytes(StandardCharsets.UTF_8);
        assertThat(verifies(pair.getPublic(), other, signature)).isFalse();
    }

    private static boolean verifies(PublicKey key, byte[] message, byte[] signature) throws Exception {
        Signature verifier = Signature.getInstance("SHA1withRSA");
        verifier.initVerify(key);
        verifier.update(message);
        return verifier.verify(signature);
    }

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        return file;
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] pkcs1Der(RSAPrivateCrtKey key) {
        return pkcs1Der(key, BigInteger.ZERO);
    }

    /** RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv } (RFC 8017 A.1.2). */
    private static byte[] pkcs1Der(RSAPrivateCrtKey key, BigInteger version) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (BigInteger value : new BigInteger[] {version, key.getModulus(), key.getPublicExponent(),
                key.getPrivateExponent(), key.getPrimeP(), key.getPrimeQ(), key.getPrimeExponentP(),
                key.getPrimeExponentQ(), key.getCrtCoefficient()}) {
            tlv(body, 0x02, value.toByteArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tlv(out, 0x30, body.toByteArray());
        return out.toByteArray();
    }

    private static void tlv(ByteArrayOutputStream out, int tag, byte[] value) {
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int skip = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - skip));
            out.write(bytes, skip, bytes.length - skip);
        }
        out.write(value, 0, value.length);
    }
}
