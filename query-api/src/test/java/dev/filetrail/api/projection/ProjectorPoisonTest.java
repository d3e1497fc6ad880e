package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.MigratedDatabase;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.ReadModelFeed;
import dev.filetrail.api.StoredKey;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.share.ShareLink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Records the read model can never hold, written straight to the topics: each is parked with its reason, offset,
 * key and bytes while everything around it is applied; transient failures are retried, not parked, and make
 * {@code /ready} fail once they last; and the projector's offsets show up in its Kafka consumer group.
 */
@ExtendWith(RealParts.class)
class ProjectorPoisonTest {

    /** One poison record as sent, and what its reject must say. */
    record Poison(String name, RecordMetadata at, String recordKey, byte[] bytes, String reasonContains) {
    }

    @Test
    void dataErrorsAreBisectedOutOfTheBatchAndParkedWhileEverythingElseApplies(KafkaCluster kafka,
            PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        String bucket = "poison-" + Long.toHexString(System.nanoTime());
        s3.createVersionedBucket(bucket);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(Projector.class)).addAppender(logs);
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "poison");
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket)) {
            List<Poison> poisons = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                feed.recordVersion("good/" + i, i);
            }
            // The issue's repro: a share link expiring later than PostgreSQL's timestamptz can hold (and one later
            // than java.sql.Timestamp can even convert).
            poisons.add(link(feed, "far-future expiresAt", bucket, "+200000-01-01T00:00:00Z", "tok-far", "22008"));
            poisons.add(link(feed, "Instant.MAX expiresAt", bucket, "+1000000000-12-31T23:59:59.999999999Z", "tok-max",
                    "22008"));
            poisons.add(version(feed, "U+0000 in an eTag", bucket, "bad/etag", "v1", "\"a\u0000b\"", "22021"));
            poisons.add(version(feed, "index row too large", bucket, "bad/version-id", randomText(3000), "\"e\"",
                    "54000"));
            byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
            String garbageKey = bucket + "/bad/garbage";
            poisons.add(new Poison("undecodable", feed.sendRaw(Topics.FILES.name(), garbageKey, garbage), garbageKey, garbage,
                    "not a valid FileHead"));
            for (int i = 10; i < 20; i++) {
                feed.recordVersion("good/" + i, i);
            }
            ShareLink good = shareLink(bucket, "good/3", "tok-good-" + bucket, Instant.parse("2999-01-01T00:00:00Z"));
            feed.sendJson(Topics.SHARE_LINKS.name(), good.linkId(), good);
            // Two links holding one token hash: whichever comes second breaks share_links_token (23505).
            ShareLink twinA = shareLink(bucket, "good/4", "tok-twin-" + bucket, null);
            ShareLink twinB = shareLink(bucket, "good/5", "tok-twin-" + bucket, null);
            RecordMetadata twinAAt = feed.sendJson(Topics.SHARE_LINKS.name(), twinA.linkId(), twinA);
            RecordMetadata twinBAt = feed.sendJson(Topics.SHARE_LINKS.name(), twinB.linkId(), twinB);

            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), KafkaRole.PROJECTOR_GROUP_PREFIX + "-poison-" + bucket,
                    "filetrail", registry, ProjectionListener.NONE)) {
                projector.start();
                ApiFixture.await("good rows and rejects", () -> count(db, "SELECT count(*) FROM files WHERE bucket = ?",
                        bucket) == 20 && linkExists(db, good.linkId())
                        && rejectsAt(db, poisons.stream().map(Poison::at).toList()) == poisons.size()
                        && rejectsAt(db, List.of(twinAAt, twinBAt)) == 1);
                assertThat(count(db, "SELECT count(*) FROM file_versions WHERE bucket = ?", bucket)).isEqualTo(20);
                assertThat(count(db, "SELECT count(*) FROM audit_events WHERE bucket = ?", bucket)).isEqualTo(20);
                for (Poison p : poisons) {
                    Map<String, Object> row = reject(db, p.at());
                    assertThat(row).as(p.name()).isNotNull();
                    assertThat(row.get("key")).as(p.name()).isEqualTo(p.recordKey());
                    assertThat((byte[]) row.get("payload")).as(p.name()).isEqualTo(p.bytes());
                    assertThat((String) row.get("reason")).as(p.name()).contains(p.reasonContains());
                    assertThat(logs.list).as(p.name()).anyMatch(e -> e.getFormattedMessage().startsWith(
                            "projector rejected record topic=" + p.at().topic() + " partition=" + p.at().partition()
                                    + " offset=" + p.at().offset() + " "));
                }
                RecordMetadata twinRejected = reject(db, twinAAt) != null ? twinAAt : twinBAt;
                assertThat((String) reject(db, twinRejected).get("reason")).contains("23505");
                assertThat(linkExists(db, twinRejected == twinAAt ? twinB.linkId() : twinA.linkId())).isTrue();
                assertThat(registry.get("filetrail_projector_records").tag("outcome", "rejected").counter().count())
                        .isGreaterThanOrEqualTo(poisons.size() + 1);
                assertThat(projector.retrying()).isZero();

                // And the partition is not stuck: what comes next is served.
                String next = feed.recordVersion("good/after", 1).versionId();
                ApiFixture.await("a record after the poison", () -> count(db,
                        "SELECT count(*) FROM file_versions WHERE version_id = ?", next) == 1);
            }
        } finally {
            ((Logger) LoggerFactory.getLogger(Projector.class)).detachAppender(logs);
        }
    }

    @Test
    void theIssuesShareLinkReproLeavesShareCreationWorking(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        try (ApiFixture f = new ApiFixture("repro", kafka, postgres, s3, true, Duration.ofSeconds(20), 1000)) {
            f.feed.putVersion("shared.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
            ShareLink poison = shareLink(f.bucket, "shared.txt", "tok-" + UUID.randomUUID(),
                    Instant.parse("+294277-01-01T00:00:00Z"));
            RecordMetadata at = f.feed.sendJson(Topics.SHARE_LINKS.name(), poison.linkId(), poison);
            ApiFixture.await("poison parked", () -> rejectsAt(f.api.dataSource(), List.of(at)) == 1);
            var created = f.post("/v1/shares", f.keys.get("share"),
                    "{\"bucket\":\"" + f.bucket + "\",\"key\":\"shared.txt\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}");
            assertThat(created.statusCode()).as(created.body()).isIn(201, 202);
            String id = Json.read(created.body(), com.fasterxml.jackson.databind.JsonNode.class).get("id").asText();
            ApiFixture.await("the new link is served", () -> f.get("/v1/shares/" + id, f.keys.get("share"))
                    .statusCode() == 200);
        }
    }

    @Test
    void transientFailuresAreRetriedNotParkedAndFailReadinessOnceTheyLast(KafkaCluster kafka, PostgresServer postgres,
                                                                         EmbeddedS3 s3) throws Exception {
        String url = postgres.createDatabase("transient");
        Map<String, String> env = new HashMap<>(kafka.settings(KafkaRole.API).environment());
        env.putAll(Map.of("API_ADMIN_PORT", "0", "DATABASE_URL", url,
                "PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-transient-" + System.nanoTime(),
                "PROJECTOR_STUCK_AFTER", "PT1S"));
        ApiConfig config = ApiConfig.fromMap(env);
        String bucket = "transient-" + Long.toHexString(System.nanoTime());
        try (ProjectorService service = new ProjectorService(config).start();
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket)) {
            HttpClient http = HttpClient.newHttpClient();
            String ready = "http://127.0.0.1:" + service.adminPort() + "/ready";
            ApiFixture.await("ready before the fault", () -> ApiFixture.status(http, ready) == 200);
            // A real PostgreSQL error that no record causes: every write of a version fails as a serialization
            // failure (40001) would, until the trigger is dropped.
            execute(service, """
                    CREATE FUNCTION filetrail.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'injected transient failure' USING ERRCODE = 'serialization_failure'; END $$;
                    CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON filetrail.file_versions
                        FOR EACH ROW EXECUTE FUNCTION filetrail.refuse();""");
            String versionId = feed.recordVersion("waits.txt", 1).versionId();
            ApiFixture.await("not ready while stuck", () -> ApiFixture.status(http, ready) == 503);
            var body = Json.read(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ready)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body(), com.fasterxml.jackson.databind.JsonNode.class);
            assertThat(body.path("checks").path("projection").path("retryReason").asText()).contains("40001");
            assertThat(body.path("checks").path("projection").path("retryingSeconds").asDouble()).isGreaterThan(1.0);
            assertThat(service.projector().retrying()).isPositive();

            execute(service, "DROP TRIGGER refuse ON filetrail.file_versions");
            ApiFixture.await("applied after the fault", () -> count(service, versionId) == 1);
            ApiFixture.await("ready again", () -> ApiFixture.status(http, ready) == 200);
            assertThat(service.projector().retrying()).isZero();
            try (Connection c = service.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT count(*) FROM projection_rejects WHERE record_key LIKE ?")) {
                s.setString(1, bucket + "/%");
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("a transient failure parks nothing").isZero();
                }
            }
        }
    }

    @Test
    void offsetsCommittedToPostgresqlAreCommittedToTheKafkaGroupToo(KafkaCluster kafka, PostgresServer postgres,
                                                                   EmbeddedS3 s3) throws Exception {
        String bucket = "offsets-" + Long.toHexString(System.nanoTime());
        String group = KafkaRole.PROJECTOR_GROUP_PREFIX + "-offsets-" + bucket;
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "offsets");
             ReadModelFeed feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, bucket);
             Admin admin = kafka.admin();
             Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API), group, "filetrail",
                     new SimpleMeterRegistry(), ProjectionListener.NONE)) {
            for (int i = 0; i < 12; i++) {
                feed.recordVersion("lag/" + i, i);
            }
            projector.start();
            ApiFixture.await("caught up", () -> projector.lag() == 0
                    && count(db, "SELECT count(*) FROM files WHERE bucket = ?", bucket) == 12);
            ApiFixture.await("the group's offsets equal the read model's", () -> {
                Map<TopicPartition, Long> stored = Projector.readOffsets(db.dataSource());
                Map<TopicPartition, Long> group0 = groupOffsets(admin, group);
                return !stored.isEmpty() && stored.values().stream().anyMatch(o -> o > 0) && stored.equals(group0);
            });
        }
    }

    static Map<TopicPartition, Long> groupOffsets(Admin admin, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> out = new HashMap<>();
            offsets.forEach((p, o) -> {
                if (o != null) {
                    out.put(p, o.offset());
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Poison link(ReadModelFeed feed, String name, String bucket, String expiresAt, String token,
                               String reason) {
        ShareLink link = shareLink(bucket, "good/1", token + "-" + UUID.randomUUID(), Instant.parse(expiresAt));
        byte[] bytes = Json.write(link);
        return new Poison(name, feed.sendRaw(Topics.SHARE_LINKS.name(), link.linkId(), bytes), link.linkId(), bytes, reason);
    }

    private static Poison version(ReadModelFeed feed, String name, String bucket, String key, String versionId,
                                  String eTag, String reason) {
        FileVersion version = new FileVersion(bucket, key, versionId, "0000000000000001", false, 1L, eTag, "STANDARD",
                Instant.now(), "tester", "evt-" + UUID.randomUUID(), null, null, null);
        String recordKey = Topics.objectKey(bucket, key);
        byte[] bytes = Json.write(new FileVersionChange(UUID.randomUUID().toString(), ChangeType.VERSION_CREATED,
                bucket, key, versionId, version, null, version.createdEventId(), Instant.now()));
        return new Poison(name, feed.sendRaw(Topics.FILE_VERSIONS.name(), recordKey, bytes), recordKey, bytes, reason);
    }

    static ShareLink shareLink(String bucket, String key, String token, Instant expiresAt) {
        String id = "shl_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        Instant now = Instant.now();
        return new ShareLink(id, bucket, key, token, null, "v1", ShareLink.Status.ACTIVE, null, expiresAt, null, true,
                "key:test", now, null, null, 0, null, "cmd-" + UUID.randomUUID(), now);
    }

    static String randomText(int length) {
        Random random = new Random(42);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('!' + random.nextInt(94)));
        }
        return out.toString();
    }

    static long count(ReadModelDatabase db, String sql, String param) {
        return ProjectorTest.count(db, sql, param);
    }

    private static long count(ProjectorService service, String versionId) {
        try (Connection c = service.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM file_versions WHERE version_id = ?")) {
            s.setString(1, versionId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean linkExists(ReadModelDatabase db, String linkId) {
        return count(db, "SELECT count(*) FROM share_links WHERE link_id = ?", linkId) == 1;
    }

    static long rejectsAt(ReadModelDatabase db, List<RecordMetadata> at) {
        return rejectsAt(db.dataSource(), at);
    }

    static long rejectsAt(javax.sql.DataSource dataSource, List<RecordMetadata> at) {
        long n = 0;
        for (RecordMetadata m : at) {
            if (reject(dataSource, m) != null) {
                n++;
            }
        }
        return n;
    }

    static Map<String, Object> reject(ReadModelDatabase db, RecordMetadata at) {
        return reject(db.dataSource(), at);
    }

    static Map<String, Object> reject(javax.sql.DataSource dataSource, RecordMetadata at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT record_key, reason, payload FROM projection_rejects WHERE topic = ? AND partition = ? "
                        + "AND record_offset = ?")) {
            s.setString(1, at.topic());
            s.setInt(2, at.partition());
            s.setLong(3, at.offset());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("key", StoredKey.fromColumn(rs.getString(1)));
                row.put("reason", rs.getString(2));
                row.put("payload", rs.getBytes(3));
                return row;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(ProjectorService service, String sql) throws Exception {
        try (Connection c = service.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
