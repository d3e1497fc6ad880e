package dev.filetrail.api.files;

import static dev.filetrail.api.ApiFixture.await;
import static dev.filetrail.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The file and history routes served from {@link FileAnswerCache} on the real projector and PostgreSQL: a repeated
 * request is answered from memory, and the projector's commit notice makes the next request see the new version;
 * a lost notice connection empties the cache.
 */
@ExtendWith(RealParts.class)
class FileAnswersTest {
    private static ApiFixture api;
    private static PostgresServer postgres;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer server, EmbeddedS3 s3) {
        postgres = server;
        api = new ApiFixture("answers", kafka, server, s3, false, Duration.ofSeconds(5), 1000);
        await("the notice listener", () -> api.api.notices().backendPid() != 0 && serving() == 1.0);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static double serving() {
        return api.api.registry().get("filetrail_api_file_cache_serving").gauge().value();
    }

    private static double lookups(String outcome) {
        return api.api.registry().get("filetrail_api_file_cache_lookups").tag("outcome", outcome).counter().count();
    }

    private static int versions(String key) {
        HttpResponse<String> r = api.get(api.filePath(key) + "/versions", api.admin());
        return r.statusCode() == 200 ? json(r).get("versions").size() : -1;
    }

    @Test
    void aRepeatedAnswerComesFromMemoryUntilTheProjectorCommitsAChange() {
        String key = "cached/history.txt";
        api.feed.recordVersion(key, 10);
        await("the first version and head projected", () -> versions(key) == 1
                && api.get(api.filePath(key), api.admin()).statusCode() == 200);

        String firstVersion = json(api.get(api.filePath(key), api.admin())).get("currentVersionId").asText();
        double hits = lookups("hit");
        HttpResponse<String> first = api.get(api.filePath(key) + "/versions", api.admin());
        HttpResponse<String> again = api.get(api.filePath(key) + "/versions", api.admin());
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(json(api.get(api.filePath(key), api.admin())).get("currentVersionId").asText())
                .isEqualTo(firstVersion);
        assertThat(lookups("hit")).as("answered from memory").isGreaterThan(hits + 1);

        // Versions and heads are separate topics, projected in their own batches: each route catches up on its own.
        String second = api.feed.recordVersion(key, 20).versionId();
        await("the second version, seen through the cache", () -> versions(key) == 2);
        await("the new head, seen through the cache", () -> second.equals(
                json(api.get(api.filePath(key), api.admin())).get("currentVersionId").asText()));
        api.feed.deleteMarker(key);
        await("the delete marker, seen through the cache",
                () -> json(api.get(api.filePath(key), api.admin())).get("deleted").asBoolean());
    }

    @Test
    void pagesAndLimitsAreAnswersOfTheirOwn() {
        String key = "cached/pages.txt";
        for (int i = 0; i < 3; i++) {
            api.feed.recordVersion(key, 100 + i);
        }
        await("three versions projected", () -> versions(key) == 3);
        for (int round = 0; round < 2; round++) {
            assertThat(json(api.get(api.filePath(key) + "/versions?limit=1", api.admin())).get("versions").size())
                    .isEqualTo(1);
            assertThat(json(api.get(api.filePath(key) + "/versions?limit=2", api.admin())).get("versions").size())
                    .isEqualTo(2);
        }
        assertThat(api.get(api.filePath(key) + "/versions?limit=0", api.admin()).statusCode()).isEqualTo(400);
    }

    @Test
    void aLostNoticeConnectionEmptiesTheCache() throws Exception {
        String key = "cached/lost.txt";
        api.feed.recordVersion(key, 1);
        // The head too: its batch's notice would otherwise empty the entry before the loss, leaving nothing to reset
        // (versions and heads are separate topics, often projected in batches of their own).
        await("the version and the head projected", () -> versions(key) == 1
                && api.get(api.filePath(key), api.admin()).statusCode() == 200);
        versions(key);
        double resets = api.api.registry().get("filetrail_api_file_cache_removals").tag("cause", "reset").counter()
                .count();
        int killed = api.api.notices().backendPid();
        try (Connection connection = DriverManager.getConnection(api.config.databaseUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD);
             PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
            terminate.setInt(1, killed);
            terminate.execute();
        }
        await("a new listening backend", () -> api.api.notices().backendPid() != 0
                && api.api.notices().backendPid() != killed && serving() == 1.0);
        assertThat(api.api.registry().get("filetrail_api_file_cache_removals").tag("cause", "reset").counter()
                .count()).as("emptied when the loss was seen").isGreaterThan(resets);
        double misses = lookups("miss");
        assertThat(versions(key)).isEqualTo(1);
        assertThat(lookups("miss")).as("read again from PostgreSQL").isGreaterThan(misses);
    }
}
