package dev.filetrail.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.share.ShareLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random operations, shuffled and duplicated, through the real broker and the real service; the
 * published history, heads and links must equal the reference model. Seed: printed; {@code -Dmodel.seed=N}.
 */
@ExtendWith(RealParts.class)
class ModelBasedBrokerTest {
    @Test
    void theServiceEndsInTheReferenceModelsState(KafkaCluster kafka, @TempDir Path state) {
        String fixed = System.getProperty("model.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("ModelBasedBrokerTest seed=" + seed + " (rerun with -Dmodel.seed=" + seed + ")");
        String bucket = RealKafka.unique("model");
        Scenario scenario = Scenario.generate(bucket, seed, 16, 3_000);
        RealKafka.produce(kafka, scenario.deliveries);
        String app = RealKafka.applicationId("model-app");
        MetadataStreamsConfig config = RealKafka.config(kafka, app, state);
        try (MetadataStreams streams = new MetadataStreams(config).start()) {
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(150));
            OutputTopics out = config.outputTopics();
            List<FileVersionChange> changes = RealKafka.readAll(kafka, out.fileVersions(), FileVersionChange.class)
                    .stream().map(ConsumerRecord::value).toList();
            List<Map.Entry<String, FileHead>> heads = RealKafka.readAll(kafka, out.files(), FileHead.class).stream()
                    .map(r -> (Map.Entry<String, FileHead>) new AbstractMap.SimpleEntry<>(r.key(), r.value()))
                    .toList();
            List<ShareLink> links = RealKafka.readAll(kafka, out.shareLinks(), ShareLink.class).stream()
                    .map(ConsumerRecord::value).toList();
            Scenario.Actual actual = scenario.fold(changes, heads, links);
            Scenario.Actual expected = scenario.expected();
            assertThat(scenario.deliveries.size()).isGreaterThan(3_000);
            assertThat(actual.versions()).as("versions, seed " + seed).isEqualTo(expected.versions());
            assertThat(actual.heads()).as("heads, seed " + seed).isEqualTo(expected.heads());
            assertThat(actual.links()).as("links, seed " + seed).isEqualTo(expected.links());
            assertThat(streams.processingMetrics().count("object-events", "duplicate")
                + streams.processingMetrics().count("object-events", "same_fact")).isPositive();
        }
    }
}
