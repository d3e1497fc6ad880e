package dev.filetrail.bridge.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.bridge.KafkaRecords;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.kafka.KafkaRole;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;

/** Backfill against a real S3-compatible server with versions and delete markers, into real Kafka. */
@ExtendWith(RealParts.class)
class BackfillTest {

    /** One row per version or marker, as ListObjectVersions reports it. */
    record Listed(String key, String versionId, boolean marker, Long size, String eTag, java.time.Instant lastModified) {
    }

    @Test
    void backfillEmitsExactlyWhatListObjectVersionsReports(EmbeddedS3 s3, KafkaCluster kafka) throws Exception {
        String bucket = "backfill-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createVersionedBucket(bucket);
        try (S3Client client = s3.client()) {
            for (int k = 0; k < 40; k++) {
                String key = (k % 2 == 0 ? "photos/" : "docs/") + "file " + k + (k % 5 == 0 ? "+ü.txt" : ".txt");
                for (int v = 0; v <= k % 4; v++) {
                    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("v" + v + " of " + key));
                }
                if (k % 3 == 0) {
                    client.deleteObject(b -> b.bucket(bucket).key(key));
                }
            }
            List<Listed> listed = new ArrayList<>();
            for (ListObjectVersionsResponse page : client.listObjectVersionsPaginator(b -> b.bucket(bucket))) {
                page.versions().forEach(v -> listed.add(new Listed(v.key(), v.versionId(), false, v.size(),
                        v.eTag().replace("\"", ""), v.lastModified())));
                page.deleteMarkers().forEach(m -> listed.add(new Listed(m.key(), m.versionId(), true, null, null,
                        m.lastModified())));
            }
            long markers = listed.stream().filter(Listed::marker).count();
            long versions = listed.size() - markers;
            // The server may keep an extra version when the SDK retries a PUT; the listing is the truth either way.
            assertThat(markers).as("s3 server reports delete markers").isEqualTo(14);
            assertThat(versions).isGreaterThanOrEqualTo(100);
            int total = listed.size();

            List<BackfillProgress> progress = new ArrayList<>();
            try (BridgeProducer producer = BridgeProducer.connect(kafka.settings(KafkaRole.OPS), 10_000, "backfill-test");
                 KafkaRecords records = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/")) {
                Backfill backfill = new Backfill(client, producer, "us-east-1", Clock.systemUTC()).withPageSize(25);

                BackfillSummary dry = backfill.run(bucket, null, true, p -> { });
                assertThat(dry.versions()).isEqualTo(versions);
                assertThat(dry.deleteMarkers()).isEqualTo(14);
                assertThat(dry.produced()).isZero();

                BackfillSummary summary = backfill.run(bucket, null, false, progress::add);
                assertThat(summary.versions()).isEqualTo(versions);
                assertThat(summary.deleteMarkers()).isEqualTo(14);
                assertThat(summary.produced()).isEqualTo(total);
                assertThat(summary.pages()).isGreaterThan(1);
                assertThat(progress).hasSize((int) summary.pages());
                assertThat(progress.get(progress.size() - 1).produced()).isEqualTo(total);

                List<ObjectEvent> events = records.until(r -> r.size() >= total, Duration.ofSeconds(30)).stream()
                        .map(r -> Json.read(r.value(), ObjectEvent.class)).toList();
                assertThat(dryRunProducedNothing(records)).as("the dry run produced nothing").isEqualTo(total);
                assertThat(events).map(e -> new Listed(e.key(), e.versionId(),
                                e.type() == ObjectEventType.DELETE_MARKER_CREATED, e.size(), e.eTag(), e.eventTime()))
                        .containsExactlyInAnyOrderElementsOf(listed);
                assertThat(events).allSatisfy(e -> {
                    assertThat(e.origin()).isEqualTo(Origin.of(Origin.BACKFILL));
                    assertThat(e.eventName()).isEqualTo(e.type() == ObjectEventType.DELETE_MARKER_CREATED
                            ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectCreated:Put");
                    assertThat(e.eventId()).isEqualTo(EventIds.objectEventId(bucket, e.key(), e.versionId(), null,
                            e.eventName(), e.eventTime()));
                    assertThat(e.sequencer()).isNull();
                });

                BackfillSummary photos = backfill.run(bucket, "photos/", true, p -> { });
                assertThat(photos.events()).isEqualTo(listed.stream().filter(l -> l.key().startsWith("photos/")).count());
            }
        }
    }

    private static int dryRunProducedNothing(KafkaRecords records) {
        return records.settle(Duration.ofMillis(500)).size();
    }
}
