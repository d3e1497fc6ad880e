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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The RSA key pair CloudFront trusts (its public half sits in a key group under {@code keyPairId}). */
public record CloudFrontKeyPair(String keyPairId, PrivateKey privateKey, PublicKey publicKey) {
    private static final Pattern PRIVATE_KEY_BLOCK = Pattern.compile(
            "-----BEGIN (RSA )?PRIVATE KEY-----(.*?)-----END (?:RSA )?PRIVATE KEY-----", Pattern.DOTALL);

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
            String text = Files.readString(pem, StandardCharsets.ISO_8859_1);
            // PEM allows explanatory text around the block (openssl writes "Bag Attributes" there), and key
            // files often carry a certificate too: take only the private key block.
            Matcher block = PRIVATE_KEY_BLOCK.matcher(text);
            if (!block.find()) {
                throw new IllegalArgumentException("no -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- block"
                        + " (an encrypted key must be decrypted first)");
            }
            if (block.group(2).contains("ENCRYPTED")) {
                throw new IllegalArgumentException("the key is encrypted; decrypt it first");
            }
            boolean pkcs1 = block.group(1) != null;
            byte[] der = Base64.getDecoder().decode(block.group(2).replaceAll("\\s", ""));
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
        if (values[0].signum() != 0) {
            // Version 1 adds more primes; using only p and q in CRT would sign with the wrong key, silently.
            throw new IllegalArgumentException("multi-prime PKCS#1 keys are not supported");
        }
        return new RSAPrivateCrtKeySpec(values[1], values[2], values[3], values[4], values[5], values[6], values[7],
                values[8]);
    }

    private static void expect(byte[] der, int[] pos, int tag) {
        if (pos[0] >= der.length || (der[pos[0]++] & 0xff) != tag) {
            throw new IllegalArgumentException("malformed PKCS#1 key");
        }
    }

    private static int length(byte[] der, int[] pos) {
        if (pos[0] >= der.length) {
            throw new IllegalArgumentException("truncated PKCS#1 key");
        }
        int first = der[pos[0]++] & 0xff;
        int length = first;
        if (first >= 0x80) {
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 3 || pos[0] + bytes > der.length) {
                throw new IllegalArgumentException("malformed PKCS#1 length");
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[pos[0]++] & 0xff);
            }
        }
        if (length > der.length - pos[0]) {
            throw new IllegalArgumentException("truncated PKCS#1 key");
        }
        return length;
    }
}
