package dev.filetrail.streams.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.OutputTopics;
import dev.filetrail.streams.RealKafka;
import dev.filetrail.streams.Scenario;
import dev.filetrail.events.kafka.KafkaRole;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealParts.class)
class StreamsRebuildTest {

    /** Per record key, the ids (or states) written, in order: what a replay must reproduce exactly. */
    private static Map<String, List<String>> outputs(KafkaCluster kafka, OutputTopics topics, String bucket) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ConsumerRecord<String, FileVersionChange> r :
                RealKafka.readAll(kafka, topics.fileVersions(), FileVersionChange.class)) {
            if (bucket.equals(r.value().bucket())) {
                out.computeIfAbsent("versions " + r.key(), k -> new ArrayList<>()).add(r.value().changeId());
            }
        }
        for (ConsumerRecord<String, FileHead> r : RealKafka.readAll(kafka, topics.files(), FileHead.class)) {
            if (r.key().startsWith(bucket + "/")) {
                out.computeIfAbsent("files " + r.key(), k -> new ArrayList<>()).add(String.valueOf(r.value()));
            }
        }
        for (ConsumerRecord<String, ShareLink> r : RealKafka.readAll(kafka, topics.shareLinks(), ShareLink.class)) {
            if (bucket.equals(r.value().bucket())) {
                out.computeIfAbsent("links " + r.key(), k -> new ArrayList<>()).add(String.valueOf(r.value()));
            }
        }
        for (ConsumerRecord<String, CloudEvent> r : RealKafka.readAll(kafka, topics.audit(), CloudEvent.class)) {
            if (r.key().startsWith(bucket + "/")) {
                out.computeIfAbsent("audit " + r.key(), k -> new ArrayList<>()).add(r.value().id());
            }
        }
        return out;
    }

    @Test
    void aNewApplicationIdRebuildsExactlyTheSameOutputsFromTheRetainedLog(KafkaCluster kafka, @TempDir Path dir) {
        String bucket = RealKafka.unique("replay");
        Scenario scenario = Scenario.generate(bucket, 42, 8, 600);
        RealKafka.produce(kafka, scenario.deliveries);
        String first = RealKafka.applicationId("replay-first");
        MetadataStreamsConfig config = RealKafka.config(kafka, first, dir.resolve("first"));
        try (MetadataStreams running = new MetadataStreams(config).start()) {
            RealKafka.awaitCaughtUp(kafka, first, Duration.ofSeconds(90));
            Map<String, List<String>> original = outputs(kafka, config.outputTopics(), bucket);
            assertThat(original.keySet()).anyMatch(k -> k.startsWith("links "));

            // A rebuild is an operator's command: it runs as the ops role, which creates its side-by-side outputs.
            StreamsRebuild rebuild = new StreamsRebuild(config.withKafka(kafka.settings(KafkaRole.OPS)));
            String second = RealKafka.applicationId("replay-second");
            StreamsRebuild.Summary dry = rebuild.rebuild(new StreamsRebuild.Request(second, null, "." + second,
                    Duration.ofSeconds(5), true, true), p -> { });
            assertThat(dry.dryRun()).isTrue();
            assertThat(dry.inputRecords()).isGreaterThanOrEqualTo(scenario.deliveries.size());
            assertThat(dry.running()).isNull();

            List<StreamsRebuild.Progress> progress = new ArrayList<>();
            // The first application keeps running (and serving) during the rebuild.
            StreamsRebuild.Summary summary = rebuild.rebuild(new StreamsRebuild.Request(second,
                    dir.resolve("second"), "." + second, Duration.ofSeconds(120), false, true), progress::add);
            assertThat(summary.caughtUp()).isTrue();
            assertThat(summary.lag()).isZero();
            assertThat(progress).isNotEmpty();
            assertThat(running.health().up()).isTrue();

            Map<String, List<String>> rebuilt = outputs(kafka,
                    OutputTopics.standard().withSuffix("." + second), bucket);
            assertThat(rebuilt).isEqualTo(original);
        }
    }

    @Test
    void theRunningApplicationIdIsRefused(KafkaCluster kafka, @TempDir Path dir) {
        MetadataStreamsConfig config = MetadataStreamsConfig.local(kafka.settings(KafkaRole.OPS))
                .withApplicationId("same").withStateDir(dir);
        assertThatThrownBy(() -> new StreamsRebuild(config).rebuild(new StreamsRebuild.Request("same", null, null,
                Duration.ofSeconds(1), true, true), p -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("application-reset");
    }
}
