package dev.filetrail.api.urls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/** The RSA key pair CloudFront trusts (its public half sits in a key group under {@code keyPairId}). */
public record CloudFrontKeyPair(String keyPairId, PrivateKey privateKey, PublicKey publicKey) {

    /** A fresh 2048-bit pair, for the local stack where the edge is given the public key directly. */
    public static CloudFrontKeyPair generate(String keyPairId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new CloudFrontKeyPair(keyPairId, pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is required by every JVM", e);
        }
    }

    /** Loads a PEM private key, PKCS#8 ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
    public static CloudFrontKeyPair load(String keyPairId, Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            boolean pkcs1 = text.contains("BEGIN RSA PRIVATE KEY");
            String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey key = (RSAPrivateCrtKey) (pkcs1
                    ? rsa.generatePrivate(pkcs1Spec(der))
                    : rsa.generatePrivate(new PKCS8EncodedKeySpec(der)));
            PublicKey publicKey = rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
            return new CloudFrontKeyPair(keyPairId, key, publicKey);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CloudFront private key " + pem, e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an RSA private key in PEM: " + pem + " (" + e.getMessage() + ")", e);
        }
    }

    /** The public key as PEM, for a CloudFront public key resource or the local edge. */
    public String publicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The private key as PKCS#8 PEM, so the local stack can hand the same key to another process. */
    public String privateKeyPem() {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(privateKey.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** Reads the DER SEQUENCE of a PKCS#1 RSAPrivateKey (version, n, e, d, p, q, dp, dq, qinv). */
    private static RSAPrivateCrtKeySpec pkcs1Spec(byte[] der) {
        int[] pos = {0};
        expect(der, pos, 0x30);
        length(der, pos);
        BigInteger[] values = new BigInteger[9];
        for (int i = 0; i < 9; i++) {
            expect(der, pos, 0x02);
            int len = length(der, pos);
            byte[] value = new byte[len];
            System.arraycopy(der, pos[0], value, 0, len);
            pos[0] += len;
            values[i] = new BigInteger(value);
        }
        return new RSAPrivateCrtKeySpec(values[1], values[2], values[3], values[4], values[5], values[6], values[7],
                values[8]);
    }

    private static void expect(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IllegalArgumentException("malformed PKCS#1 key");
        }
    }

    private static int length(byte[] der, int[] pos) {
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (der[pos[0]++] & 0xff);
        }
        return length;
    }
}
