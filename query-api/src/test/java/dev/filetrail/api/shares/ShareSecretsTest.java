package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShareSecretsTest {

    @Test
    void tokensCarry256RandomBitsInBase64Url() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = ShareSecrets.newToken();
            assertThat(ShareSecrets.looksLikeToken(token)).isTrue();
            assertThat(Base64.getUrlDecoder().decode(token)).hasSize(32);
            assertThat(seen.add(token)).isTrue();
        }
        assertThat(ShareSecrets.tokenHash("abc")).hasSize(64).isNotEqualTo("abc");
    }

    @Test
    void passwordsUseSlowSaltedPbkdf2() {
        String hash = ShareSecrets.hashPassword("s3cret pass");
        assertThat(hash).startsWith("pbkdf2-sha256$600000$");
        assertThat(ShareSecrets.hashPassword("s3cret pass")).isNotEqualTo(hash);
        assertThat(ShareSecrets.verifyPassword("s3cret pass", hash)).isTrue();
        assertThat(ShareSecrets.verifyPassword("s3cret pasS", hash)).isFalse();
        assertThat(ShareSecrets.verifyPassword("x", "garbage")).isFalse();
    }
}
