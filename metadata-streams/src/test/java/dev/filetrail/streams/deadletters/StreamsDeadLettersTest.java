package dev.filetrail.streams.deadletters;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.RealKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against the real broker: a record the streams cannot decode and one they cannot apply are parked, exactly once,
 * in the transaction that passes them, and the streams go on serving the next upload; the ops side lists them,
 * shows one, and re-applies letters to where they came from, idempotently.
 */
@ExtendWith(RealParts.class)
class StreamsDeadLettersTest {

    private static void produce(KafkaCluster kafka, ProducerRecord<byte[], byte[]> record) throws Exception {
        // As the ops role: it may write the inputs and (standing in for an older topology) the dead-letter topic.
        try (KafkaProducer<byte[], byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<StreamsDeadLetter> letters(StreamsDeadLetters dlq) {
        List<StreamsDeadLetter> out = new ArrayList<>();
        dlq.list(out::add);
        return out;
    }

    @Test
    void poisonIsParkedOnceAndTheNextUploadIsServedAndLettersCanBeReapplied(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        String app = RealKafka.applicationId("dlq");
        String bucket = RealKafka.unique("dlq-bucket");
        MetadataStreamsConfig config = RealKafka.config(kafka, app, dir);
        try (MetadataStreams streams = new MetadataStreams(config).start()) {
            // All three under one key, so in one partition, in this order: the upload waits behind the poison.
            ObjectEvent upload = Facts.put(bucket, "fresh.txt", "v1", "02", at(2));
            byte[] key = utf8(upload.recordKey());
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace-id", utf8("t-1"));
            byte[] garbage = utf8("{\"Records\": not an event");
            produce(kafka, new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), null, key, garbage, headers));
            ObjectEvent misKeyed = Facts.put(bucket, "a.txt", "v0", "01", at(1));
            produce(kafka, new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), key, Json.write(misKeyed)));
            produce(kafka, new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), key, Json.write(upload)));

            RealKafka.await(Duration.ofSeconds(60), () -> RealKafka.readAll(kafka, config.outputTopics().files(),
                            FileHead.class).stream().anyMatch(r -> r.key().equals(upload.recordKey())),
                    "the upload after the poison was not served");
            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(60));

            // The operator's side runs as the ops role, in a group of its own under the default group's name.
            StreamsDeadLetters dlq = new StreamsDeadLetters(kafka.settings(KafkaRole.OPS),
                    config.outputTopics().deadLetters(), RealKafka.unique(StreamsDeadLetters.DEFAULT_REAPPLY_GROUP));
            List<StreamsDeadLetter> parked = letters(dlq);
            assertThat(parked).as("exactly once: one letter per poison record").hasSize(2);
            StreamsDeadLetter undecodable = parked.stream().filter(l -> "decode".equals(l.kind())).findFirst()
                    .orElseThrow();
            assertThat(undecodable.value()).isEqualTo(garbage);
            assertThat(undecodable.keyText()).isEqualTo(upload.recordKey());
            assertThat(undecodable.sourceTopic()).isEqualTo(Topics.OBJECT_EVENTS.name());
            assertThat(undecodable.sourceOffset()).isNotNegative();
            assertThat(undecodable.reason()).startsWith("not a valid ObjectEvent");
            assertThat(new String(undecodable.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8))
                    .isEqualTo("t-1");
            StreamsDeadLetter unappliable = parked.stream().filter(l -> "apply".equals(l.kind())).findFirst()
                    .orElseThrow();
            assertThat(unappliable.reason()).contains("is not bucket/key");
            assertThat(dlq.show(unappliable.id())).hasValueSatisfying(l ->
                    assertThat(l.value()).isEqualTo(Json.write(misKeyed)));
            assertThat(dlq.show("streams:0:999999999")).isEmpty();
            assertThat(streams.deadLetters().count(DeadLetterKind.DECODE)).isEqualTo(1);

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + streams.metricsPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("filetrail_streams_dead_letters_total{input=\"object-events\",kind=\"decode\"} 1.0");

            // A letter an older, stricter topology parked: the same bytes are a fact the running one applies.
            ObjectEvent refusedBefore = Facts.put(bucket, "refused-before.txt", "v7", "07", at(7));
            RecordHeaders letterHeaders = new RecordHeaders();
            letterHeaders.add(DeadLetterRecorder.HEADER_TOPIC, utf8(Topics.OBJECT_EVENTS.name()));
            letterHeaders.add(DeadLetterRecorder.HEADER_PARTITION, utf8("0"));
            letterHeaders.add(DeadLetterRecorder.HEADER_OFFSET, utf8("0"));
            letterHeaders.add(DeadLetterRecorder.HEADER_KIND, utf8("apply"));
            letterHeaders.add(DeadLetterRecorder.HEADER_MESSAGE, utf8("refused by an older topology"));
            produce(kafka, new ProducerRecord<>(config.outputTopics().deadLetters(), null, System.currentTimeMillis(),
                    utf8(refusedBefore.recordKey()), Json.write(refusedBefore), letterHeaders));

            StreamsDeadLetters.ReapplySummary dry = dlq.reapply(false, true, l -> { });
            assertThat(dry.reapplied()).isEqualTo(3);
            StreamsDeadLetters.ReapplySummary first = dlq.reapply(false, false, l -> { });
            assertThat(first.reapplied()).as("the dry run committed nothing").isEqualTo(3);
            // The poison is still poison: re-applied, it is parked again, as a new letter.
            RealKafka.await(Duration.ofSeconds(60), () -> letters(dlq).size() == 5, "the poison was not parked again");
            StreamsDeadLetters.ReapplySummary next = dlq.reapply(false, true, l -> { });
            assertThat(next.alreadyReapplied()).isEqualTo(3);
            assertThat(next.reapplied()).as("only the letters parked since").isEqualTo(2);
            assertThat(dlq.reapply(true, false, l -> { }).reapplied()).as("--all takes every letter again")
                    .isEqualTo(5);
            RealKafka.await(Duration.ofSeconds(60), () -> letters(dlq).size() == 9, "the poison was not parked again");

            RealKafka.awaitCaughtUp(kafka, app, Duration.ofSeconds(60));
            assertThat(RealKafka.readAll(kafka, config.outputTopics().files(), FileHead.class))
                    .as("the re-applied letter was applied").anyMatch(r -> r.key().equals(refusedBefore.recordKey()));
            long created = RealKafka.readAll(kafka, config.outputTopics().fileVersions(), FileVersionChange.class)
                    .stream().filter(r -> r.key().equals(refusedBefore.recordKey())).count();
            assertThat(created).as("re-applied twice, applied once").isEqualTo(1);
        }
    }
}
