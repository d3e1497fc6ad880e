package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Removed versions through the real projector and PostgreSQL: the row stays, marked removed with its reason; history
 * hides it unless {@code ?include=removed}; nothing else (URLs, restore) finds it.
 */
@ExtendWith(RealParts.class)
class RemovedVersionsTest {
    static ApiFixture f;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("removed", kafka, postgres, s3, false, Duration.ofSeconds(10), 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("versions").forEach(v -> ids.add(v.get("versionId").asText()));
        return ids;
    }

    @Test
    void removedVersionsStayInHistoryMarkedWithWhenAndWhyAndAreHiddenByDefault() {
        String key = "removed/ledger.csv";
        FileVersion v1 = f.feed.putVersion(key, "1".getBytes(StandardCharsets.UTF_8), "text/csv");
        FileVersion v2 = f.feed.putVersion(key, "2".getBytes(StandardCharsets.UTF_8), "text/csv");
        FileVersion v3 = f.feed.putVersion(key, "3".getBytes(StandardCharsets.UTF_8), "text/csv");
        f.feed.removeVersion(key, v1.versionId());
        f.feed.removeVersion(key, v2.versionId(), FileVersionChange.NONCURRENT_EXPIRATION);
        String history = f.filePath(key) + "/versions";
        ApiFixture.await("removals projected", () -> {
            var answer = f.get(history, f.admin());
            return answer.statusCode() == 200 && ids(ApiFixture.json(answer)).equals(List.of(v3.versionId()));
        });

        JsonNode all = ApiFixture.json(f.get(history + "?include=removed", f.admin()));
        assertThat(ids(all)).containsExactly(v3.versionId(), v2.versionId(), v1.versionId());
        JsonNode entries = all.get("versions");
        assertThat(entries.get(0).has("removed")).isFalse();
        assertThat(entries.get(1).get("removed").get("reason").asText()).isEqualTo("noncurrent-expiration");
        assertThat(entries.get(2).get("removed").get("reason").asText()).isEqualTo("deleted");
        assertThat(entries.get(2).get("removed").get("at").asText()).isNotEmpty();
        assertThat(entries.get(2).get("size").asLong()).as("the entry as it was").isEqualTo(1);

        JsonNode page = ApiFixture.json(f.get(history + "?include=removed&limit=2", f.admin()));
        assertThat(ids(page)).containsExactly(v3.versionId(), v2.versionId());
        JsonNode rest = ApiFixture.json(f.get(history + "?include=removed&limit=2&cursor="
                + page.get("nextCursor").asText(), f.admin()));
        assertThat(ids(rest)).containsExactly(v1.versionId());
        assertThat(f.get(history + "?cursor=" + page.get("nextCursor").asText(), f.admin()).statusCode())
                .as("a cursor of the listing with removed entries is not one of the listing without").isEqualTo(400);
        assertThat(f.get(history + "?include=everything", f.admin()).statusCode()).isEqualTo(400);

        assertThat(f.get(f.filePath(key) + "/versions/" + v1.versionId() + "/url", f.keys.get("read")).statusCode())
                .isEqualTo(404);
        assertThat(f.post(f.filePath(key) + "/versions/" + v1.versionId() + "/restore", f.keys.get("write"), "{}")
                .statusCode()).isEqualTo(404);
    }
}
