package dev.filetrail.api.keys;

import static dev.filetrail.api.ApiFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.QueryApi;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two running API instances on one database: a key revoked through one is refused by the other over HTTP. */
@ExtendWith(RealParts.class)
class RevocationAcrossInstancesTest {
    private static ApiFixture first;
    private static QueryApi second;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        first = new ApiFixture("revoke", kafka, postgres, s3, false, Duration.ofSeconds(5), 1000);
        ApiConfig config = first.config.withProjector(first.config.projectorGroupId() + "-second",
                        first.config.databaseSchema())
                .with(0, first.config.databaseUrl(), first.config.kafka(), first.config.s3Endpoint(),
                        first.config.cloudFrontDomain());
        second = new QueryApi(config, first.api.cloudFrontKeyPair()).start();
        await("both listeners to listen", () -> first.api.keyListener().connections() > 0
                && second.keyListener().connections() > 0);
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void aKeyRevokedInOneInstanceIsRefusedOnTheNextRequestInTheOther() {
        long heard = second.keyListener().notifications();
        ApiKeys.CreatedKey key = first.api.apiKeys().create("two-instances", EnumSet.of(Scope.READ));
        await("the second instance to hear of the new key", () -> second.keyListener().notifications() > heard);
        assertThat(ping(second.port(), key.plaintext())).isEqualTo(200);
        double hits = hits();
        assertThat(ping(second.port(), key.plaintext())).isEqualTo(200);
        assertThat(hits()).as("the second request is served from the cache").isGreaterThan(hits);

        long beforeRevoke = second.keyListener().notifications();
        first.api.apiKeys().revoke(key.id());
        assertThat(ping(first.api.port(), key.plaintext())).isEqualTo(401);
        await("the second instance to hear of the revocation",
                () -> second.keyListener().notifications() > beforeRevoke);

        assertThat(ping(second.port(), key.plaintext())).isEqualTo(401);
    }

    private static double hits() {
        return second.registry().get("filetrail_api_key_cache_lookups").tag("outcome", "hit").counter().count();
    }

    private static int ping(int port, String key) {
        return first.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/ping")).GET(), key)
                .statusCode();
    }
}
