package dev.filetrail.streams;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.object.ObjectEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure that is not the record's fault is retried, not parked: here the broker refuses an output (its topic
 * takes smaller messages than the topology writes), so the stream thread fails on the same record again and again.
 * {@code /ready} says so once that has lasted the bound, while {@code /health} stays up; when the topic is fixed,
 * the record goes through and the service is ready again.
 */
@ExtendWith(RealParts.class)
class StuckStreamsTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(MetadataStreams streams, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + streams.metricsPort() + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Sets the topic's {@code max.message.bytes}, as the operator (the ops role) would. */
    private static void maxMessageBytes(KafkaCluster kafka, String topic, int bytes) throws Exception {
        try (var admin = kafka.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(bytes)), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
    }

    @Test
    void aRecordTheBrokerKeepsRefusingMakesTheServiceUnreadyUntilFixed(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        String app = RealKafka.applicationId("stuck");
        MetadataStreamsConfig config = RealKafka.config(kafka, app, dir).withStuckAfter(Duration.ofSeconds(5));
        String files = config.outputTopics().files();
        maxMessageBytes(kafka, files, 512);
        // Its head (a key that does not compress, and more) is larger than the topic takes; transaction markers are not.
        byte[] noise = new byte[900];
        new java.util.Random(7).nextBytes(noise);
        ObjectEvent upload = Facts.put(RealKafka.unique("stuck-bucket"),
                "photos/" + java.util.Base64.getUrlEncoder().encodeToString(noise) + ".jpg", "v1", "01", at(1));
        try (MetadataStreams streams = new MetadataStreams(config).start()) {
            RealKafka.await(Duration.ofSeconds(60), () -> get(streams, "/ready").statusCode() == 200,
                    "the streams did not become ready");
            RealKafka.produce(kafka, List.of(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), upload.recordKey(),
                    Json.write(upload))));

            RealKafka.await(Duration.ofSeconds(120), () -> get(streams, "/ready").statusCode() == 503,
                    "the stuck streams stayed ready");
            assertThat(get(streams, "/ready").body()).contains("\"status\":\"NOT_READY\"").contains("reason");
            assertThat(get(streams, "/health").statusCode()).as("liveness is not readiness").isEqualTo(200);
            assertThat(streams.deadLetters().count(dev.filetrail.streams.deadletters.DeadLetterKind.APPLY)
                    + streams.deadLetters().count(dev.filetrail.streams.deadletters.DeadLetterKind.PRODUCE))
                    .as("a good record is not parked for the broker's fault").isZero();

            maxMessageBytes(kafka, files, 4 * 1024 * 1024);
            RealKafka.await(Duration.ofSeconds(120), () -> RealKafka.readAll(kafka, files, FileHead.class).stream()
                    .anyMatch(r -> r.key().equals(upload.recordKey())), "the record did not go through once fixed");
            RealKafka.await(Duration.ofSeconds(60), () -> get(streams, "/ready").statusCode() == 200,
                    "the streams did not become ready again");
        }
    }
}
