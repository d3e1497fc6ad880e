package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.RequiredTopics;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A broker stopped and restarted while messages keep arriving: the bridge stops deleting, and loses nothing;
 * {@code /ready} says it is stuck once that has lasted the bound (while {@code /health} stays up), and ready again
 * when messages go through.
 */
@ExtendWith(RealParts.class)
class KafkaOutageTest {

    @Test
    void brokerStoppedAndRestartedUnderLoadLosesNoEvent(EmbeddedSqs sqs) throws Exception {
        int messages = 150;
        String bucket = IngestBridgeTest.unique("outage");
        String queue = sqs.createQueueWithDlq(IngestBridgeTest.unique("outage"), 1000, 3);
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); SqsClient client = sqs.client()) {
            BridgeConfig config = BridgeConfig.local()
                    .withKafka(kafka.settings(KafkaRole.BRIDGE))
                    .withSqs(sqs.endpoint().toString(), queue)
                    .withPolling(2, 1, 3)
                    .withMetricsPort(0)
                    .withRetry(3_000, 1_000, 15)
                    .withStuckAfter(3_000);
            // A fresh cluster has no topics: the bridge refuses to start and names each one it needs.
            try (IngestBridge early = new IngestBridge(config)) {
                assertThatThrownBy(early::start).isInstanceOf(RequiredTopics.NotReadyException.class)
                        .hasMessageContaining("topic filetrail.object-events.v1 is missing")
                        .hasMessageContaining("topic filetrail.processing-results.v1 is missing")
                        .hasMessageContaining("topic filetrail.ingest-dlq.v1 is missing");
            }
            kafka.createFiletrailTopics();
            try (IngestBridge bridge = new IngestBridge(config)) {
                bridge.start();
                Future<?> load = sender.submit(() -> {
                    for (int i = 0; i < messages; i++) {
                        String body = TestMessages.s3Put(bucket, List.of("k-" + i), i);
                        client.sendMessage(b -> b.queueUrl(queue).messageBody(body));
                        pause(20);
                    }
                });
                try (KafkaRecords early = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/")) {
                    early.until(r -> r.size() >= 30, Duration.ofSeconds(60));
                }
                kafka.stop();
                long failedBefore = (long) bridge.metrics().count("bridge.messages.failed");
                long deletedAtStop = (long) bridge.metrics().count("bridge.messages.deleted");
                // Wait until the bridge has noticed the outage (a send failed) while messages keep arriving.
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (bridge.metrics().count("bridge.messages.failed") == failedBefore && System.nanoTime() < end) {
                    pause(100);
                }
                assertThat(bridge.metrics().count("bridge.messages.failed")).isGreaterThan(failedBefore);
                assertThat(bridge.metrics().count("bridge.messages.deleted")).as("nothing deleted while Kafka is down")
                        .isLessThanOrEqualTo(deletedAtStop + 2 * config.batchSize());
                awaitStatus(bridge, "/ready", 503, Duration.ofSeconds(60));
                assertThat(get(bridge, "/ready").body()).contains("NOT_READY").contains("messages failing for");
                assertThat(get(bridge, "/health").statusCode()).as("liveness is not readiness").isEqualTo(200);
                kafka.restart();
                load.get();

                assertThat(Queues.awaitDrained(client, queue, Duration.ofSeconds(120))).isTrue();
                awaitStatus(bridge, "/ready", 200, Duration.ofSeconds(60));
                try (KafkaRecords all = KafkaRecords.withKeyPrefix(kafka.settings(KafkaRole.OPS), Topics.OBJECT_EVENTS.name(), bucket + "/")) {
                    Set<String> keys = all.until(r -> r.stream().map(x -> x.key()).distinct().count() >= messages,
                                    Duration.ofSeconds(60)).stream()
                            .map(r -> Topics.OBJECT_EVENTS.values().decode(r.value()).key()).collect(Collectors.toSet());
                    assertThat(keys).isEqualTo(IntStream.range(0, messages).mapToObj(i -> "k-" + i).collect(Collectors.toSet()));
                }
            }
        } finally {
            sender.shutdownNow();
        }
    }

    private static java.net.http.HttpResponse<String> get(IngestBridge bridge, String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + bridge.metricsPort() + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitStatus(IngestBridge bridge, String path, int status, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (get(bridge, path).statusCode() != status) {
            if (System.nanoTime() > end) {
                throw new AssertionError(path + " did not answer " + status + " within " + timeout + ": "
                        + get(bridge, path).body());
            }
            pause(100);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
