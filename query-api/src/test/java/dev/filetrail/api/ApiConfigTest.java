package dev.filetrail.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.changes.ChangeFeedSettings;
import dev.filetrail.api.files.AsOfSnapshots;
import dev.filetrail.api.keys.KeyCache;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

    @Test
    void defaultsPointAtTheLocalStack() {
        ApiConfig config = ApiConfig.fromMap(Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.databaseUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/filetrail");
        assertThat(config.cloudFrontDomain()).isEqualTo("http://127.0.0.1:8081");
        assertThat(config.signedUrlTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.localMode()).isTrue();
        assertThat(config.s3Endpoint()).isEqualTo("http://127.0.0.1:9000");
        assertThat(ApiConfig.fromMap(Map.of("S3_ENDPOINT", "")).s3Endpoint()).isNull();
        assertThat(config.adminPort()).isEqualTo(9090);
        assertThat(config.projectorStuckAfter()).isEqualTo(Duration.ofMinutes(1));
        ApiConfig set = ApiConfig.fromMap(Map.of("API_ADMIN_PORT", "0", "PROJECTOR_STUCK_AFTER", "PT5S"));
        assertThat(set.adminPort()).isZero();
        assertThat(set.projectorStuckAfter()).isEqualTo(Duration.ofSeconds(5));
        // Copies keep them.
        assertThat(set.with(0, "jdbc:x", set.kafka(), null, "http://cf").adminPort()).isZero();
        assertThat(set.withProjector("g", "s").projectorStuckAfter()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badValuesAreClearErrors() {
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("SIGNED_URL_TTL", "PT2H")))
                .hasMessageContaining("SIGNED_URL_TTL");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("API_PORT", "eighty"))).hasMessageContaining("API_PORT");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("API_ADMIN_PORT", "70000")))
                .hasMessageContaining("API_ADMIN_PORT");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("PROJECTOR_STUCK_AFTER", "PT0S")))
                .hasMessageContaining("PROJECTOR_STUCK_AFTER");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("DATABASE_SCHEMA", "x; drop")))
                .hasMessageContaining("DATABASE_SCHEMA");
        // Not an error: without a key the API starts and only signed URLs answer 503 (urls.UrlSigningWithoutKeyTest).
        assertThat(ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false")).cloudFrontPrivateKeyPath()).isNull();
    }

    @Test
    void aPrivateKeyGivenAsPemTextIsLoadedFromAnOwnerOnlyFile() throws Exception {
        CloudFrontKeyPair generated = CloudFrontKeyPair.generate("K1");
        ApiConfig config = ApiConfig.fromMap(Map.of("CLOUDFRONT_PRIVATE_KEY", generated.privateKeyPem(),
                "CLOUDFRONT_KEY_PAIR_ID", "K1", "FILETRAIL_LOCAL_MODE", "false"));

        assertThat(config.localMode()).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.cloudFrontPrivateKeyPath())))
                .isEqualTo("rw-------");
        assertThat(CloudFrontKeyPair.load("K1", config.cloudFrontPrivateKeyPath()).privateKey().getEncoded())
                .isEqualTo(generated.privateKey().getEncoded());
    }

    @Test
    void trustedProxiesAreCidrsAndNoneByDefault() {
        assertThat(ApiConfig.fromMap(Map.of()).trustedProxies()).isEmpty();
        assertThat(ApiConfig.fromMap(Map.of()).sharePasswordAttemptsPerMinute()).isEqualTo(10);
        assertThat(ApiConfig.fromMap(Map.of("TRUSTED_PROXIES", " 10.0.0.0/24, 10.0.1.0/24 ,fd00::/8,192.0.2.7"))
                .trustedProxies()).containsExactly("10.0.0.0/24", "10.0.1.0/24", "fd00::/8", "192.0.2.7");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("TRUSTED_PROXIES", "10.0.0.0/33")))
                .hasMessageContaining("TRUSTED_PROXIES").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("TRUSTED_PROXIES", "load-balancer.internal")))
                .hasMessageContaining("TRUSTED_PROXIES").hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("SHARE_PASSWORD_ATTEMPTS_PER_MINUTE", "0")))
                .hasMessageContaining("SHARE_PASSWORD_ATTEMPTS_PER_MINUTE");
    }

    @Test
    void headSnapshotsAreConfiguredFromTheEnvironment() {
        assertThat(ApiConfig.fromMap(Map.of()).asOfSnapshots())
                .isEqualTo(new AsOfSnapshots.Settings(Duration.ofHours(24), 35));
        ApiConfig set = ApiConfig.fromMap(Map.of("AS_OF_SNAPSHOT_INTERVAL", "PT6H", "AS_OF_SNAPSHOT_RETAIN", "4"));
        assertThat(set.asOfSnapshots()).isEqualTo(new AsOfSnapshots.Settings(Duration.ofHours(6), 4));
        assertThat(set.withReadModelShards(null).withProjector("g", "s").asOfSnapshots())
                .isEqualTo(set.asOfSnapshots());
        assertThat(ApiConfig.fromMap(Map.of("AS_OF_SNAPSHOT_INTERVAL", "PT0S")).asOfSnapshots().enabled()).isFalse();
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("AS_OF_SNAPSHOT_INTERVAL", "-PT1H")))
                .hasMessageContaining("AS_OF_SNAPSHOT_INTERVAL");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("AS_OF_SNAPSHOT_RETAIN", "0")))
                .hasMessageContaining("AS_OF_SNAPSHOT_RETAIN");
    }

    @Test
    void theKeyCacheIsConfiguredFromTheEnvironment() {
        assertThat(ApiConfig.fromMap(Map.of()).apiKeyCache())
                .isEqualTo(new KeyCache.Settings(10_000, Duration.ofSeconds(10)));
        ApiConfig set = ApiConfig.fromMap(Map.of("API_KEY_CACHE_SIZE", "50", "API_KEY_NEGATIVE_TTL", "PT1M"));
        assertThat(set.apiKeyCache()).isEqualTo(new KeyCache.Settings(50, Duration.ofMinutes(1)));
        assertThat(set.withProjector("g", "s").with(0, "jdbc:x", set.kafka(), null, "http://cf").apiKeyCache())
                .isEqualTo(set.apiKeyCache());
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("API_KEY_CACHE_SIZE", "0")))
                .hasMessageContaining("API_KEY_CACHE_SIZE");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("API_KEY_NEGATIVE_TTL", "10s")))
                .hasMessageContaining("API_KEY_NEGATIVE_TTL");
    }

    @Test
    void theChangeFeedIsConfiguredFromTheEnvironment() {
        assertThat(ApiConfig.fromMap(Map.of()).changeFeed())
                .isEqualTo(dev.filetrail.api.changes.ChangeFeedSettings.DEFAULT);
        ApiConfig set = ApiConfig.fromMap(Map.of("CHANGES_CURSOR_KEYS", " new-key-0123456789 , old-key-0123456789 ",
                "CHANGES_RETENTION", "P7D", "CHANGES_WAITS_PER_KEY", "5", "CHANGES_BACKOFF_ABOVE", "50",
                "CHANGES_HEARTBEAT", "PT5S", "CHANGES_STREAM_TICKET_TTL", "PT1M"));
        assertThat(set.changeFeed()).isEqualTo(new dev.filetrail.api.changes.ChangeFeedSettings(
                java.util.List.of("new-key-0123456789", "old-key-0123456789"), Duration.ofDays(7), 5, 50,
                Duration.ofSeconds(5), Duration.ofMinutes(1)));
        assertThat(set.withProjector("g", "s").with(0, "jdbc:x", set.kafka(), null, "http://cf").changeFeed())
                .isEqualTo(set.changeFeed());
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("CHANGES_CURSOR_KEYS", "short")))
                .hasMessageContaining("CHANGES_CURSOR_KEYS");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("CHANGES_WAITS_PER_KEY", "0")))
                .hasMessageContaining("CHANGES_WAITS_PER_KEY");
        assertThatThrownBy(() -> ApiConfig.fromMap(Map.of("CHANGES_RETENTION", "90 days")))
                .hasMessageContaining("CHANGES_RETENTION");
    }

    @Test
    void theChangeFeedRefusesThePublicLocalCursorKeyOnlyOutsideTheLocalStack() {
        assertThat(QueryApi.changeFeedRefusal(ApiConfig.fromMap(Map.of()))).as("local stack").isNull();
        assertThat(QueryApi.changeFeedRefusal(ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false"))))
                .contains("CHANGES_CURSOR_KEYS");
        assertThat(QueryApi.changeFeedRefusal(ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false",
                "CHANGES_CURSOR_KEYS", "a-secret-key-of-forty-characters-or-so-1")))).isNull();
        // Rotating away from it: the local key kept as the old one is still refused.
        assertThat(QueryApi.changeFeedRefusal(ApiConfig.fromMap(Map.of("FILETRAIL_LOCAL_MODE", "false",
                "CHANGES_CURSOR_KEYS", "a-secret-key-of-forty-characters-or-so-1,"
                        + ChangeFeedSettings.LOCAL_CURSOR_KEY)))).contains("CHANGES_CURSOR_KEYS");
    }
}
