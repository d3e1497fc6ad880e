package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.MigratedDatabase;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.share.ShareLink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class ProjectionRejectsTest {

    @Test
    void retryAppliesAfterAFixSkipsWhatANewerRecordSupersededAndKeepsWhatStillFails(KafkaCluster kafka,
            PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        String bucket = "rejects-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "rejects");
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket);
             Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), KafkaRole.PROJECTOR_GROUP_PREFIX + "-rejects-" + bucket,
                     "filetrail", new SimpleMeterRegistry(), ProjectionListener.NONE)) {
            // A rule the read model enforces for a while (a constraint, a bug), then drops: the data error of a
            // record that becomes writable once fixed.
            execute(db, "ALTER TABLE files ADD CONSTRAINT quarantine CHECK (key NOT LIKE 'quarantine/%')");
            feed.recordVersion("quarantine/a\u0000nul", 1);
            feed.recordVersion("quarantine/b", 1);
            ShareLink never = ProjectorPoisonTest.shareLink(bucket, "x", "tok-never-" + bucket,
                    Instant.parse("+300000-01-01T00:00:00Z"));
            RecordMetadata neverAt = feed.sendJson(Topics.SHARE_LINKS.name(), never.linkId(), never);
            projector.start();
            ProjectionRejects rejects = new ProjectionRejects(db.dataSource(), kafka.settings(KafkaRole.OPS), "filetrail");
            ApiFixture.await("three rejects", () -> ours(rejects, bucket, never).size() == 3
                    && ProjectorTest.count(db, "SELECT count(*) FROM file_versions WHERE bucket = ?", bucket) == 2);
            Map<String, ProjectionRejects.Reject> byKey = ours(rejects, bucket, never);
            ProjectionRejects.Reject a = byKey.get(bucket + "/quarantine/a\u0000nul");
            ProjectionRejects.Reject b = byKey.get(bucket + "/quarantine/b");
            ProjectionRejects.Reject link = byKey.get(never.linkId());
            assertThat(a.reason()).contains("23514", "quarantine");
            assertThat(link.id()).isEqualTo(Topics.SHARE_LINKS.name() + ":" + neverAt.partition() + ":" + neverAt.offset());
            ProjectionRejects.Detail shown = rejects.show(link.id()).orElseThrow();
            assertThat(shown.payloadText()).isEqualTo(new String(Json.write(never), java.nio.charset.StandardCharsets.UTF_8));

            // The fix, then a newer head of b that is projected over b's reject.
            execute(db, "ALTER TABLE files DROP CONSTRAINT quarantine");
            feed.recordVersion("quarantine/b", 2);
            ApiFixture.await("b's newer head", () -> ProjectorTest.count(db,
                    "SELECT count(*) FROM files WHERE bucket = ? AND version_count = 2", bucket) == 1);

            List<ProjectionRejects.Retried> dry = rejects.retry(List.of(a.id(), b.id(), link.id()), true);
            assertThat(dry).extracting(ProjectionRejects.Retried::outcome).containsExactly(
                    ProjectionRejects.Outcome.APPLIED, ProjectionRejects.Outcome.SUPERSEDED,
                    ProjectionRejects.Outcome.STILL_REJECTED);
            assertThat(ours(rejects, bucket, never)).hasSize(3);
            assertThat(ProjectorTest.count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket)).isEqualTo(1);

            List<ProjectionRejects.Retried> done = rejects.retry(List.of(a.id(), b.id(), link.id(),
                    Topics.FILES.name() + ":0:999999999"), false);
            assertThat(done).extracting(ProjectionRejects.Retried::outcome).containsExactly(
                    ProjectionRejects.Outcome.APPLIED, ProjectionRejects.Outcome.SUPERSEDED,
                    ProjectionRejects.Outcome.STILL_REJECTED, ProjectionRejects.Outcome.NOT_FOUND);
            assertThat(done.get(2).detail()).contains("22008");
            Map<String, ProjectionRejects.Reject> left = ours(rejects, bucket, never);
            assertThat(left).containsOnlyKeys(never.linkId());
            assertThat(left.get(never.linkId()).retries()).isEqualTo(1);
            assertThat(left.get(never.linkId()).retriedAt()).isNotNull();
            // a's head is now in the read model; b's stays the newer one, not moved back by its old reject.
            assertThat(new dev.filetrail.api.files.FileQueries(db.dataSource()).file(bucket, "quarantine/a\u0000nul"))
                    .hasValueSatisfying(row -> assertThat(row.versionCount()).isEqualTo(1));
            assertThat(ProjectorTest.count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket)).isEqualTo(2);
            assertThat(ProjectorTest.count(db, "SELECT count(*) FROM files WHERE bucket = ? AND version_count = 2",
                    bucket)).isEqualTo(1);
            assertThatThrownBy(() -> rejects.show("not-an-id")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** This test's rejects (other tests share the topics), by record key. */
    private static Map<String, ProjectionRejects.Reject> ours(ProjectionRejects rejects, String bucket, ShareLink link) {
        return rejects.list(10_000).rejects().stream()
                .filter(r -> r.recordKey() != null && (r.recordKey().startsWith(bucket + "/")
                        || r.recordKey().equals(link.linkId())))
                .collect(Collectors.toMap(ProjectionRejects.Reject::recordKey, Function.identity()));
    }

    private static void execute(ReadModelDatabase db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
