package dev.filetrail.streams.state;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.RealKafka;
import dev.filetrail.streams.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted instance that finds its state dir, under the same instance id, does not restore from the changelogs;
 * one with an empty state dir restores everything. This is what a task slot with a volume that outlives its task
 * buys a rolling deployment.
 */
@ExtendWith(RealParts.class)
class KeptStateTest {

    @Test
    void aRestartWithTheKeptStateDirRestoresNothingAndAnEmptyOneRestoresAll(KafkaCluster kafka, @TempDir Path dir) {
        String app = RealKafka.applicationId("kept");
        String bucket = RealKafka.unique("kept-bucket");
        // Short sessions: the empty-dir start below joins under another id and waits out the stopped static member.
        MetadataStreamsConfig base = RealKafka.config(kafka, app, dir.resolve("slot-0"));
        MetadataStreamsConfig slot = base.withMembership(base.membership().withInstanceId("slot-0")
                .withSessionTimeout(Duration.ofSeconds(10)));

        List<Scenario.Delivery> inputs = new ArrayList<>();
        int versions = 400;
        for (int i = 0; i < versions; i++) {
            var put = Facts.put(bucket, "k" + (i % 40), "v" + i, String.format("%04x", i), at(i));
            inputs.add(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), put.recordKey(), Json.write(put)));
            if (i < 40) {
                // A sequencer-less fact per key goes through the dedupe store (a window store), so every task's
                // stores all have changelog records: Kafka Streams 4.4 leaves a window store that was never written
                // out of the task's checkpoint, and under exactly-once that task is then wiped at every start.
                var moved = Facts.transition(bucket, "k" + i, "v" + i, "STANDARD_IA", at(i + 1));
                inputs.add(new Scenario.Delivery(Topics.OBJECT_EVENTS.name(), moved.recordKey(), Json.write(moved)));
            }
        }
        RealKafka.produce(kafka, inputs);

        try (MetadataStreams first = new MetadataStreams(slot).start()) {
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(120));
            // A new application id starts with empty changelogs: nothing to restore.
            assertThat(first.restores().restoredRecords()).isZero();
        }

        long kept;
        try (MetadataStreams again = new MetadataStreams(slot).start()) {
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(120));
            kept = again.restores().restoredRecords();
            // It restored nothing because it found its state, not because it had no tasks.
            assertThat(again.kafkaStreams().metadataForLocalThreads().stream()
                    .mapToInt(t -> t.activeTasks().size()).sum()).isEqualTo(RealKafka.PARTITIONS);
        }

        MetadataStreamsConfig emptySlot = slot.withStateDir(dir.resolve("slot-1"))
                .withMembership(slot.membership().withInstanceId("slot-1"));
        try (MetadataStreams fresh = new MetadataStreams(emptySlot).start()) {
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(120));
            long all = fresh.restores().restoredRecords();
            System.out.printf("restored records: kept state dir %d, empty state dir %d (our %d versions)%n",
                    kept, all, versions);
            // Each version leaves a versions and an index entry in the changelogs (plus the heads of 40 keys).
            assertThat(all).isGreaterThanOrEqualTo(2L * versions);
            assertThat(fresh.restores().finished()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.changelog().topic()).startsWith(app + "-"));
            assertThat(kept).as("records restored by the restart that kept its state dir").isZero();
        }
    }
}
