package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.kafka.KafkaRole;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The bridge against real ElasticMQ and Kafka: every path that crosses a process boundary. */
@ExtendWith(RealParts.class)
class IngestBridgeTest {

    static BridgeConfig config(KafkaCluster kafka, EmbeddedSqs sqs, String queueUrl) {
        return BridgeConfig.local()
                .withKafka(kafka.settings(KafkaRole.BRIDGE))
                .withSqs(sqs.endpoint().toString(), queueUrl)
                .withPolling(2, 1, 3)
                .withMetricsPort(0)
                .withRetry(5_000, 500, 15);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void everyDeliveryModeEndsUpInKafkaAndTheQueueDrains(KafkaCluster kafka, EmbeddedSqs sqs) throws Exception {
        String bucket = unique("modes");
        String queue = sqs.createQueueWithDlq(unique("modes"), 10, 3);
        try (SqsClient client = sqs.client();
             KafkaRecords events = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/");
             KafkaRecords results = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.PROCESSING_RESULTS.name(), bucket + "/");
             IngestBridge bridge = new IngestBridge(config(kafka, sqs, queue))) {
            bridge.start();
            String viaSns = client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.snsEnvelope(
                    TestMessages.s3Put(bucket, List.of("a b.jpg", "c+d.jpg"), 0x10), "sns-modes-1"))).messageId();
            String raw = "{\"Records\":[" + TestMessages.s3Record("ObjectRemoved:DeleteMarkerCreated", bucket,
                    "a b.jpg", "marker-1", "0000000000000000FF", null) + "]}";
            String rawId = client.sendMessage(b -> b.queueUrl(queue).messageBody(raw)).messageId();
            client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.snsEnvelope(
                    "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"2025-03-14T09:20:00.123Z\",\"Bucket\":\"" + bucket + "\"}", "sns-test")));
            ProcessingResult result = new ProcessingResult("r-" + bucket, ProcessingResult.METADATA, bucket, "a b.jpg",
                    "v16", ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 10, 10, 99L, null, null, List.of(),
                    Instant.parse("2025-03-14T09:30:00Z"));
            client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.snsEnvelope(Json.writeString(result), "sns-r")));
            String garbage = "{\"Records\":[{\"eventVersion\":\"9.9\"}],\"note\":\"" + bucket + "\"}";
            String garbageId = client.sendMessage(b -> b.queueUrl(queue).messageBody(garbage)).messageId();
            String letterId = EventIds.sha256Hex(garbageId, garbage);

            List<ConsumerRecord<String, byte[]>> got = events.until(r -> r.size() >= 3, Duration.ofSeconds(60));
            List<ObjectEvent> objectEvents = got.stream().map(r -> Topics.OBJECT_EVENTS.values().decode(r.value())).toList();
            assertThat(objectEvents).extracting(ObjectEvent::key, ObjectEvent::type).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("a b.jpg", ObjectEventType.VERSION_CREATED),
                    org.assertj.core.groups.Tuple.tuple("c+d.jpg", ObjectEventType.VERSION_CREATED),
                    org.assertj.core.groups.Tuple.tuple("a b.jpg", ObjectEventType.DELETE_MARKER_CREATED));
            assertThat(objectEvents).filteredOn(e -> e.type() == ObjectEventType.VERSION_CREATED)
                    .extracting(ObjectEvent::origin)
                    .containsOnly(new Origin(Origin.S3_NOTIFICATION, viaSns, "sns-modes-1", "filetrail-events"));
            assertThat(objectEvents).filteredOn(e -> e.type() == ObjectEventType.DELETE_MARKER_CREATED)
                    .extracting(ObjectEvent::origin)
                    .containsOnly(new Origin(Origin.S3_NOTIFICATION, rawId, null, "filetrail-events"));
            // Records of one object share a partition, so its events keep their order.
            assertThat(got.stream().filter(r -> r.key().equals(bucket + "/a b.jpg")).map(ConsumerRecord::partition)
                    .distinct().count()).isEqualTo(1);

            assertThat(results.until(r -> !r.isEmpty(), Duration.ofSeconds(30))).singleElement()
                    .satisfies(r -> assertThat(Topics.PROCESSING_RESULTS.values().decode(r.value())).isEqualTo(result));

            try (KafkaRecords dlq = new KafkaRecords(kafka.settings(KafkaRole.OPS), Topics.INGEST_DLQ.name(),
                    r -> letterId.equals(r.key()))) {
                DeadLetter letter = Topics.INGEST_DLQ.values()
                        .decode(dlq.until(r -> !r.isEmpty(), Duration.ofSeconds(30)).get(0).value());
                assertThat(letter.rawBody()).isEqualTo(garbage);
                assertThat(letter.sqsMessageId()).isEqualTo(garbageId);
                assertThat(letter.queueUrl()).isEqualTo(queue);
                assertThat(letter.reason()).contains("eventVersion");
            }
            assertThat(Queues.awaitDrained(client, queue, Duration.ofSeconds(30))).isTrue();

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + bridge.metricsPort() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            String metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + bridge.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("bridge_messages_received_total 5.0", "bridge_messages_skipped_total 1.0",
                    "bridge_messages_dead_lettered_total 1.0", "bridge_messages_deleted_total 5.0",
                    "bridge_records_produced_total{topic=\"filetrail.object-events.v1\"} 3.0",
                    "bridge_batch_latency_seconds_count", "bridge_queue_depth{state=\"visible\"}");
        }
    }

    @Test
    void aKeyS3WouldRefuseIsDeadLetteredAndTheNextUploadGoesThrough(KafkaCluster kafka, EmbeddedSqs sqs)
            throws Exception {
        String bucket = unique("refused");
        String queue = sqs.createQueueWithDlq(unique("refused"), 100, 3);
        String tooLong = "k".repeat(1025);
        String notUtf8 = "photo-%C3%28.jpg";
        try (SqsClient client = sqs.client();
             KafkaRecords events = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/");
             IngestBridge bridge = new IngestBridge(config(kafka, sqs, queue))) {
            bridge.start();
            String longBody = TestMessages.snsEnvelope("{\"Records\":[" + TestMessages.s3Record("ObjectCreated:Put",
                    bucket, tooLong, "v1", "0A", 1L) + "]}", "sns-long");
            String longId = client.sendMessage(b -> b.queueUrl(queue).messageBody(longBody)).messageId();
            String badBody = "{\"Records\":[" + TestMessages.s3RecordEncoded("ObjectCreated:Put", bucket, notUtf8, "v1",
                    "0B", 1L) + "]}";
            String badId = client.sendMessage(b -> b.queueUrl(queue).messageBody(badBody)).messageId();
            client.sendMessage(b -> b.queueUrl(queue).messageBody("{\"Records\":[" + TestMessages.s3Record(
                    "ObjectCreated:Put", bucket, "next upload.jpg", "v2", "0C", 2L) + "]}"));

            List<ConsumerRecord<String, byte[]>> got = events.until(r -> !r.isEmpty(), Duration.ofSeconds(60));
            assertThat(got).extracting(ConsumerRecord::key).containsExactly(bucket + "/next upload.jpg");
            Set<String> letterIds = Set.of(EventIds.sha256Hex(longId, longBody), EventIds.sha256Hex(badId, badBody));
            try (KafkaRecords dlq = new KafkaRecords(kafka.settings(KafkaRole.OPS), Topics.INGEST_DLQ.name(),
                    r -> letterIds.contains(r.key()))) {
                List<String> reasons = dlq.until(r -> r.size() >= 2, Duration.ofSeconds(30)).stream()
                        .map(r -> Topics.INGEST_DLQ.values().decode(r.value()).reason()).toList();
                assertThat(reasons).anyMatch(r -> r.startsWith("Records[0]: object key is 1025 bytes of UTF-8"))
                        .anyMatch(r -> r.startsWith("Records[0]: object key is not UTF-8 once decoded"));
            }
            assertThat(Queues.awaitDrained(client, queue, Duration.ofSeconds(30))).isTrue();
        }
    }

    @Test
    void crashBetweenProduceAndDeleteLeavesDuplicatesWithOneEventIdAndNothingLost(KafkaCluster kafka, EmbeddedSqs sqs)
            throws Exception {
        String bucket = unique("crash");
        String queue = sqs.createQueueWithDlq(unique("crash"), 100, 3);
        int messages = 40;
        Map<String, String> expectedIds = new java.util.HashMap<>();
        try (SqsClient client = sqs.client();
             KafkaRecords events = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/")) {
            for (int i = 0; i < messages; i++) {
                List<String> keys = List.of("dir/file-" + i + ".txt", "dir/other " + i + ".txt");
                String body = TestMessages.s3Put(bucket, keys, 1000L * i);
                for (int k = 0; k < keys.size(); k++) {
                    expectedIds.put(keys.get(k), EventIds.objectEventId(bucket, keys.get(k), "v" + (1000L * i + k),
                            String.format("%018X", 1000L * i + k), "ObjectCreated:Put",
                            Instant.parse("2025-03-14T09:26:53.589Z")));
                }
                String sent = i % 2 == 0 ? body : TestMessages.snsEnvelope(body, "sns-crash-" + i);
                client.sendMessage(b -> b.queueUrl(queue).messageBody(sent));
            }

            AtomicInteger crashes = new AtomicInteger();
            try (IngestBridge doomed = new IngestBridge(config(kafka, sqs, queue), ids -> {
                crashes.incrementAndGet();
                throw new IllegalStateException("simulated crash between produce and delete");
            })) {
                doomed.start();
                events.until(r -> r.size() >= 2 * messages, Duration.ofSeconds(60));
            }
            assertThat(crashes.get()).isPositive();
            assertThat(Queues.depth(client, queue)).as("nothing was deleted by the crashed bridge").isEqualTo(messages);

            try (IngestBridge restarted = new IngestBridge(config(kafka, sqs, queue))) {
                restarted.start();
                assertThat(Queues.awaitDrained(client, queue, Duration.ofSeconds(90))).isTrue();
            }
            List<ObjectEvent> all = events.settle(Duration.ofSeconds(1)).stream()
                    .map(r -> Topics.OBJECT_EVENTS.values().decode(r.value())).toList();
            assertThat(all.size()).as("the crash caused duplicates").isGreaterThan(2 * messages);
            Map<String, Set<String>> idsByKey = all.stream().collect(Collectors.groupingBy(ObjectEvent::key,
                    Collectors.mapping(ObjectEvent::eventId, Collectors.toSet())));
            assertThat(idsByKey.keySet()).isEqualTo(expectedIds.keySet());
            idsByKey.forEach((key, ids) -> assertThat(ids).as(key).containsExactly(expectedIds.get(key)));
        }
    }

    @Test
    void slowBatchKeepsItsMessagesInvisibleSoNoSecondPollerTakesThem(KafkaCluster kafka, EmbeddedSqs sqs)
            throws Exception {
        String bucket = unique("slow");
        String queue = sqs.createQueueWithDlq(unique("slow"), 10, 2);
        BridgeConfig config = config(kafka, sqs, queue).withPolling(2, 1, 2);
        AtomicInteger batches = new AtomicInteger();
        try (SqsClient client = sqs.client();
             KafkaRecords events = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/");
             IngestBridge bridge = new IngestBridge(config, ids -> {
                 batches.incrementAndGet();
                 try {
                     Thread.sleep(5_000); // 2.5 visibility timeouts
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             })) {
            bridge.start();
            client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.s3Put(bucket, List.of("slow.bin"), 7)));
            assertThat(Queues.awaitDrained(client, queue, Duration.ofSeconds(30))).isTrue();
            assertThat(events.settle(Duration.ofSeconds(1))).hasSize(1);
            assertThat(batches.get()).isEqualTo(1);
            assertThat(bridge.metrics().count("bridge.messages.received")).isEqualTo(1.0);
        }
    }

    @Test
    void closeFinishesTheBatchInFlight(KafkaCluster kafka, EmbeddedSqs sqs) throws Exception {
        String bucket = unique("shutdown");
        String queue = sqs.createQueueWithDlq(unique("shutdown"), 10, 30);
        CountDownLatch inBatch = new CountDownLatch(1);
        try (SqsClient client = sqs.client();
             KafkaRecords events = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/")) {
            IngestBridge bridge = new IngestBridge(config(kafka, sqs, queue).withPolling(1, 1, 30), ids -> {
                inBatch.countDown();
                try {
                    Thread.sleep(1_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            bridge.start();
            client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.s3Put(bucket, List.of("x", "y"), 1)));
            assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();
            bridge.close();
            // With a 30 s visibility timeout, an empty queue right after close means the batch was deleted.
            assertThat(Queues.depth(client, queue)).isZero();
            assertThat(events.until(r -> r.size() >= 2, Duration.ofSeconds(10))).hasSize(2);
            assertThat(bridge.isRunning()).isFalse();
        }
    }

    @Test
    void closeReleasesABatchThatOutlastsTheGrace(KafkaCluster kafka, EmbeddedSqs sqs) throws Exception {
        String bucket = unique("release");
        String queue = sqs.createQueueWithDlq(unique("release"), 10, 60);
        CountDownLatch inBatch = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        try (SqsClient client = sqs.client()) {
            IngestBridge bridge = new IngestBridge(config(kafka, sqs, queue).withPolling(1, 1, 60)
                    .withRetry(5_000, 500, 1), ids -> {
                inBatch.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    // shutdownNow after the grace: the batch was released, the thread ends here without deleting
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
            });
            bridge.start();
            client.sendMessage(b -> b.queueUrl(queue).messageBody(TestMessages.s3Put(bucket, List.of("z"), 1)));
            assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();
            bridge.close();
            // Released: visible again at once, although its visibility timeout is a minute.
            List<String> bodies = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (bodies.isEmpty() && System.nanoTime() < end) {
                client.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1)).messages()
                        .forEach(m -> bodies.add(m.body()));
            }
            assertThat(bodies).singleElement().asString().contains("\"key\":\"z\"");
            assertThat(new HashSet<>(bodies)).hasSize(1);
        }
    }
}
