package dev.filetrail.api.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.history.FileVersion;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Restore and undelete against the real S3 stand-in (s3proxy): what S3 holds afterwards is read back with
 * ListObjectVersions and GetObject, the audit record from the access-events topic, the idempotency answers from
 * PostgreSQL. The multipart copy runs with its threshold lowered to 5 MiB (s3proxy's memory cannot hold 5 GiB).
 */
@ExtendWith(RealParts.class)
class FileActionsTest {
    static final long MIB = 1 << 20;
    static ApiFixture f;
    static S3Client s3;
    static KafkaCluster kafka;

    @BeforeAll
    static void start(KafkaCluster kafkaCluster, PostgresServer postgres, EmbeddedS3 embeddedS3) {
        kafka = kafkaCluster;
        f = new ApiFixture("actions", kafka, postgres, embeddedS3, true, Duration.ofSeconds(10), 1000,
                Map.of("RESTORE_MULTIPART_THRESHOLD", String.valueOf(5 * MIB),
                        "RESTORE_PART_SIZE", String.valueOf(5 * MIB)));
        s3 = embeddedS3.client();
    }

    @AfterAll
    static void stop() {
        s3.close();
        f.close();
    }

    HttpResponse<String> post(String path, String key, String idempotencyKey, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(f.baseUrl() + path));
        if (body == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return f.send(request, key);
    }

    static String restorePath(String key, String versionId) {
        return f.filePath(key) + "/versions/" + versionId + "/restore";
    }

    /** Waits until the read model's history of {@code key} has {@code version} (the actions check it first). */
    static FileVersion projected(FileVersion version) {
        ApiFixture.await("version " + version.versionId() + " projected", () -> f.get(f.filePath(version.key())
                + "/versions", f.admin()).body().contains("\"" + version.versionId() + "\""));
        return version;
    }

    static List<ObjectVersion> versions(String key) {
        return s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(key)).versions().stream()
                .filter(v -> v.key().equals(key)).toList();
    }

    static Map<String, String> tags(String key, String versionId) {
        Map<String, String> tags = new java.util.TreeMap<>();
        s3.getObjectTagging(b -> b.bucket(f.bucket).key(key).versionId(versionId)).tagSet()
                .forEach(t -> tags.put(t.key(), t.value()));
        return tags;
    }

    static String bytes(String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(f.bucket).key(key).versionId(versionId)).asUtf8String();
    }

    @Test
    void restoreCopiesTheOldVersionOntoTheKeyAsANewVersionMarkedWithItsSource() {
        String key = "restore/report v1.txt";
        FileVersion first = projected(f.feed.putVersion(key, "first draft".getBytes(StandardCharsets.UTF_8), "text/plain"));
        s3.putObjectTagging(b -> b.bucket(f.bucket).key(key).versionId(first.versionId())
                .tagging(t -> t.tagSet(Tag.builder().key("review").value("draft one").build())));
        f.feed.putVersion(key, "second draft".getBytes(StandardCharsets.UTF_8), "text/markdown");
        int before = versions(key).size();

        HttpResponse<String> r = post(restorePath(key, first.versionId()), f.keys.get("write"), null, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = ApiFixture.json(r);
        String restored = body.get("versionId").asText();
        assertThat(body.get("restoredFrom").asText()).isEqualTo(first.versionId());
        assertThat(body.get("size").asLong()).isEqualTo("first draft".length());
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith("/versions");
        List<ObjectVersion> inS3 = versions(key);
        assertThat(inS3).hasSize(before + 1);
        ObjectVersion latest = inS3.stream().filter(ObjectVersion::isLatest).findFirst().orElseThrow();
        assertThat(latest.versionId()).isEqualTo(restored).isNotEqualTo(first.versionId());
        assertThat(bytes(key, restored)).isEqualTo("first draft");
        var head = s3.headObject(b -> b.bucket(f.bucket).key(key).versionId(restored));
        assertThat(head.metadata()).containsEntry(S3VersionActions.RESTORED_FROM, first.versionId());
        assertThat(head.contentType()).isEqualTo("text/plain");
        assertThat(tags(key, restored)).as("the restored version keeps its tags")
                .containsExactlyEntriesOf(Map.of("review", "draft one"));

        AccessEvent audit = accessEvent(e -> e.type() == AccessEvent.Type.FILE_RESTORED && f.bucket.equals(e.bucket())
                && key.equals(e.key()));
        assertThat(audit.versionId()).isEqualTo(restored);
        assertThat(audit.restoredFrom()).isEqualTo(first.versionId());
        assertThat(audit.actor()).isEqualTo("key:" + keyId(f.keys.get("write")));
    }

    @Test
    void restoreAnswers404ForAnUnknownVersionAnd409ForADeleteMarker() {
        String key = "restore/gone.txt";
        f.feed.putVersion(key, "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        FileVersion marker = projected(f.feed.deleteMarker(key));
        int before = versions(key).size();

        HttpResponse<String> unknown = post(restorePath(key, "no-such-version"), f.admin(), null, null);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(ApiFixture.json(unknown).get("detail").asText()).contains("no-such-version");

        HttpResponse<String> onMarker = post(restorePath(key, marker.versionId()), f.admin(), null, null);
        assertThat(onMarker.statusCode()).as(onMarker.body()).isEqualTo(409);
        assertThat(ApiFixture.json(onMarker).get("detail").asText()).contains("delete marker");
        assertThat(versions(key)).hasSize(before);
    }

    @Test
    void writeActionsNeedTheWriteScopeAndTheSourceBucket() {
        String key = "restore/scoped.txt";
        FileVersion v = projected(f.feed.putVersion(key, "x".getBytes(StandardCharsets.UTF_8), "text/plain"));
        // Counted, not assumed: on a loaded machine the SDK may retry the set-up PUT, which S3 keeps as a version.
        int before = versions(key).size();
        for (String scope : List.of("read", "share")) {
            HttpResponse<String> r = post(restorePath(key, v.versionId()), f.keys.get(scope), null, null);
            assertThat(r.statusCode()).as(scope + ": " + r.body()).isEqualTo(403);
            assertThat(r.body()).contains("'write' scope");
            assertThat(post(f.filePath(key) + "/undelete", f.keys.get(scope), null, null).statusCode()).isEqualTo(403);
        }
        assertThat(post(restorePath(key, v.versionId()), null, null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> otherBucket = post("/v1/buckets/other-bucket/files/a.txt/versions/v/restore",
                f.keys.get("write"), null, null);
        assertThat(otherBucket.statusCode()).as(otherBucket.body()).isEqualTo(400);
        assertThat(versions(key)).as("no refused request copied anything").hasSize(before);
    }

    @Test
    void theSameIdempotencyKeyAndBodyGetTheFirstAnswerAndAnotherBodyA422() {
        String key = "restore/idempotent.txt";
        FileVersion first = projected(f.feed.putVersion(key, "one".getBytes(StandardCharsets.UTF_8), "text/plain"));
        f.feed.putVersion(key, "two".getBytes(StandardCharsets.UTF_8), "text/plain");
        String idem = UUID.randomUUID().toString();
        int before = versions(key).size();

        HttpResponse<String> a = post(restorePath(key, first.versionId()), f.keys.get("write"), idem, "{}");
        HttpResponse<String> b = post(restorePath(key, first.versionId()), f.keys.get("write"), idem, "{}");

        assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
        assertThat(b.statusCode()).as(b.body()).isEqualTo(201);
        assertThat(b.body()).isEqualTo(a.body());
        assertThat(b.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(versions(key)).as("one copy for two requests").hasSize(before + 1);

        HttpResponse<String> otherBody = post(restorePath(key, first.versionId()), f.keys.get("write"), idem,
                "{\"note\":\"again\"}");
        assertThat(otherBody.statusCode()).as(otherBody.body()).isEqualTo(422);
        assertThat(ApiFixture.json(otherBody).get("detail").asText()).contains(idem);
        // The key belongs to its API key: the admin key's same Idempotency-Key is a request of its own.
        HttpResponse<String> otherCaller = post(restorePath(key, first.versionId()), f.admin(), idem, "{}");
        assertThat(otherCaller.statusCode()).as(otherCaller.body()).isEqualTo(201);
        assertThat(versions(key)).hasSize(before + 2);

        // A problem is an answer too: the 404 comes back even after the version would exist.
        String missing = UUID.randomUUID().toString();
        assertThat(post(restorePath(key, "nope"), f.admin(), missing, null).statusCode()).isEqualTo(404);
        HttpResponse<String> again = post(restorePath(key, "nope"), f.admin(), missing, null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");

        // Stored in PostgreSQL, so another instance (a store over the same database) sees the first answer.
        var store = new IdempotentRequests(f.api.dataSource());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.claim(keyId(f.keys.get("write")), idem,
                "another request")).isInstanceOfSatisfying(dev.filetrail.api.http.ApiProblem.class,
                p -> assertThat(p.status()).isEqualTo(422));
    }

    @Test
    void aVersionAboveTheThresholdIsCopiedInParts() {
        String key = "restore/big.bin";
        byte[] big = new byte[(int) (11 * MIB + 123)];
        new Random(17).nextBytes(big);
        FileVersion put = projected(f.feed.putVersion(key, big, "application/octet-stream"));
        s3.putObjectTagging(b -> b.bucket(f.bucket).key(key).versionId(put.versionId())
                .tagging(t -> t.tagSet(Tag.builder().key("team").value("blue & green").build(),
                        Tag.builder().key("size").value("11 MiB").build())));
        f.feed.putVersion(key, "small".getBytes(StandardCharsets.UTF_8), "text/plain");
        int before = versions(key).size();

        HttpResponse<String> r = post(restorePath(key, put.versionId()), f.keys.get("write"), null, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String restored = ApiFixture.json(r).get("versionId").asText();
        byte[] copied = s3.getObjectAsBytes(b -> b.bucket(f.bucket).key(key).versionId(restored)).asByteArray();
        assertThat(copied).isEqualTo(big);
        var head = s3.headObject(b -> b.bucket(f.bucket).key(key).versionId(restored));
        assertThat(head.eTag()).as("a multipart object's ETag counts its parts").endsWith("-3\"");
        assertThat(head.metadata()).containsEntry(S3VersionActions.RESTORED_FROM, put.versionId());
        assertThat(tags(key, restored)).as("parts carry no tags: the upload names the source's")
                .isEqualTo(Map.of("team", "blue & green", "size", "11 MiB"));
        assertThat(versions(key)).hasSize(before + 1);
    }

    @Test
    void undeleteRemovesTheCurrentDeleteMarkerAnd409sOtherwise() {
        String key = "undelete/notes.txt";
        FileVersion v = projected(f.feed.putVersion(key, "keep me".getBytes(StandardCharsets.UTF_8), "text/plain"));
        ApiFixture.await("projected", () -> f.get(f.filePath(key), f.admin()).statusCode() == 200);
        HttpResponse<String> notDeleted = post(f.filePath(key) + "/undelete", f.keys.get("write"), null, null);
        assertThat(notDeleted.statusCode()).as(notDeleted.body()).isEqualTo(409);
        assertThat(ApiFixture.json(notDeleted).get("detail").asText()).contains("not a delete marker");

        FileVersion marker = projected(f.feed.deleteMarker(key));
        ApiFixture.await("deleted in the read model",
                () -> ApiFixture.json(f.get(f.filePath(key), f.admin())).path("deleted").asBoolean());
        HttpResponse<String> r = post(f.filePath(key) + "/undelete", f.keys.get("write"), null, null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ApiFixture.json(r).get("removedDeleteMarker").asText()).isEqualTo(marker.versionId());
        var listed = s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(key));
        assertThat(listed.deleteMarkers()).isEmpty();
        assertThat(versions(key)).filteredOn(ObjectVersion::isLatest).singleElement()
                .satisfies(o -> assertThat(o.versionId()).isEqualTo(v.versionId()));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(f.bucket).key(key)).asUtf8String()).isEqualTo("keep me");
        AccessEvent audit = accessEvent(e -> e.type() == AccessEvent.Type.FILE_UNDELETED && f.bucket.equals(e.bucket())
                && key.equals(e.key()));
        assertThat(audit.versionId()).isEqualTo(marker.versionId());
        assertThat(audit.actor()).isEqualTo("key:" + keyId(f.keys.get("write")));

        // The read model has not heard of the removal yet (no streams here): S3 says the marker is gone, so 409.
        HttpResponse<String> again = post(f.filePath(key) + "/undelete", f.keys.get("write"), null, null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(post("/v1/buckets/" + f.bucket + "/files/undelete%2Fnever.txt/undelete", f.keys.get("write"),
                null, null).statusCode()).isEqualTo(404);
    }

    static String keyId(String plaintext) {
        return plaintext.substring(4, plaintext.indexOf('_', 4));
    }

    static AccessEvent accessEvent(java.util.function.Predicate<AccessEvent> wanted) {
        return dev.filetrail.api.AccessEventsTopic.first(kafka, wanted);
    }
}
