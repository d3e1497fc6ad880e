package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.filetrail.events.kafka.KafkaRole;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class ProjectorTest {

    /**
     * More members than partitions (four projectors in one group over three-partition topics): the member the group
     * gives nothing reports no lag, so every instance can be ready. Before, its lag stayed unknown and /ready failed
     * for good. The shard assignor leaves members empty the same way (ShardAssignorTest).
     */
    @Test
    void aMemberGivenNoPartitionsIsCaughtUp(KafkaCluster kafka, PostgresServer postgres) throws Exception {
        String url = postgres.createDatabase("projector_members");
        String group = KafkaRole.PROJECTOR_GROUP_PREFIX + "-members-" + System.nanoTime();
        List<Projector> members = new ArrayList<>();
        try (ReadModelDatabase db = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                "filetrail", "filetrail_keys", 8, "members")) {
            db.migrate();
            try {
                for (int i = 0; i < KafkaCluster.TEST_PARTITIONS + 1; i++) {
                    Projector member = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), group, "filetrail",
                            new SimpleMeterRegistry(), ProjectionListener.NONE);
                    members.add(member);
                    member.start();
                }
                ApiFixture.await("every partition held once", java.time.Duration.ofMinutes(1), () -> members.stream()
                        .mapToInt(m -> m.assignedPartitions().size()).sum()
                        == Projector.TOPICS.size() * KafkaCluster.TEST_PARTITIONS);
                assertThat(members).as("a member holds nothing").anyMatch(m -> m.assignedPartitions().isEmpty());
                ApiFixture.await("every member caught up, the empty one too", java.time.Duration.ofMinutes(2),
                        () -> members.stream().allMatch(m -> m.lag() == 0));
            } finally {
                members.forEach(Projector::close);
            }
        }
    }

    @Test
    void projectsOnceAcrossRestartsAndConcurrentProjectorsAndKeepsBadRecords(KafkaCluster kafka,
                                                                           PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        String bucket = "proj-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        String url = postgres.createDatabase("projector");
        try (ReadModelDatabase db = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                "filetrail", "filetrail_keys", 8, "test");
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket)) {
            db.migrate();
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                kept.add(feed.recordVersion("doc.txt", i).versionId());
            }
            String removed = kept.remove(2);
            feed.removeVersion("doc.txt", removed);
            feed.sendRaw(Topics.FILE_VERSIONS.name(), bucket + "/doc.txt", "{not json".getBytes(StandardCharsets.UTF_8));

            Projector first = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), KafkaRole.PROJECTOR_GROUP_PREFIX + "-p1-" + bucket, "filetrail",
                    new SimpleMeterRegistry(), ProjectionListener.NONE);
            first.start();
            ApiFixture.await("first batch", () -> count(db, "SELECT count(*) FROM file_versions WHERE bucket = ? AND removed_at IS NULL", bucket) == 4
                    && count(db, "SELECT count(*) FROM projection_rejects WHERE record_key = ?", bucket + "/doc.txt") == 1);
            first.close();

            for (int i = 0; i < 3; i++) {
                kept.add(feed.recordVersion("doc.txt", 10 + i).versionId());
            }
            // Two projectors with different groups write the same read model at once: the offsets stored with
            // the rows make every record count once.
            Projector second = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), KafkaRole.PROJECTOR_GROUP_PREFIX + "-p2-" + bucket, "filetrail",
                    new SimpleMeterRegistry(), ProjectionListener.NONE);
            Projector third = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), KafkaRole.PROJECTOR_GROUP_PREFIX + "-p3-" + bucket, "filetrail",
                    new SimpleMeterRegistry(), ProjectionListener.NONE);
            second.start();
            third.start();
            ApiFixture.await("second batch", () -> count(db, "SELECT count(*) FROM file_versions WHERE bucket = ? AND removed_at IS NULL", bucket) == 7);
            ApiFixture.await("audit", () -> count(db, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket) == 9);
            // Three topics, three partitions: a batch may hold the last audit record before the last head arrives.
            ApiFixture.await("head", () -> count(db, "SELECT count(*) FROM files WHERE bucket = ? AND version_count = 7",
                    bucket) == 1);
            second.close();
            third.close();

            List<String> history = new ArrayList<>();
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT version_id FROM file_versions WHERE bucket = ?"
                         + " AND removed_at IS NULL ORDER BY ordering DESC")) {
                s.setString(1, bucket);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        history.add(rs.getString(1));
                    }
                }
            }
            List<String> newestFirst = new ArrayList<>(kept);
            java.util.Collections.reverse(newestFirst);
            assertThat(history).containsExactlyElementsOf(newestFirst);
            assertThat(count(db, "SELECT count(*) FROM files WHERE bucket = ? AND version_count = 7", bucket)).isEqualTo(1);
            // The removed version stays as a removed entry (history shows it with ?include=removed).
            assertThat(count(db, "SELECT count(*) FROM file_versions WHERE bucket = ? AND removed_at IS NOT NULL"
                    + " AND removed_reason = 'deleted'", bucket)).isEqualTo(1);
            assertThat(count(db, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket)).isEqualTo(9);
            assertThat(count(db, "SELECT count(*) FROM projection_rejects WHERE record_key = ?", bucket + "/doc.txt"))
                    .isEqualTo(1);
        }
    }

    static long count(ReadModelDatabase db, String sql, String param) {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void runsAloneWithTheAdminEndpoints(KafkaCluster kafka, PostgresServer postgres) throws Exception {
        String url = postgres.createDatabase("alone");
        Map<String, String> env = new java.util.HashMap<>(kafka.settings(KafkaRole.API).environment());
        env.putAll(Map.of("API_PORT", "0", "API_ADMIN_PORT", "0", "DATABASE_URL", url,
                "PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-alone-" + System.nanoTime()));
        ApiConfig config = ApiConfig.fromMap(env);
        try (ProjectorService service = new ProjectorService(config).start()) {
            HttpClient http = HttpClient.newHttpClient();
            String admin = "http://127.0.0.1:" + service.adminPort();
            ApiFixture.await("projector caught up", () -> service.projector().lag() == 0);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(admin + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            ApiFixture.await("ready", () -> ApiFixture.status(http, admin + "/ready") == 200);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(admin + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body()).contains("filetrail_projector_lag", "filetrail_projector_retrying_seconds");
            assertThat(ApiFixture.status(http, admin + "/nothing")).isEqualTo(404);
        }
    }
}
