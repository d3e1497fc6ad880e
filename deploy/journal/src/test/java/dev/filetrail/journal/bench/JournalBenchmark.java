package dev.filetrail.journal.bench;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.JournalSamples;
import dev.filetrail.journal.read.JournalReader;
import dev.filetrail.journal.sink.JournalSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Rows/s into the journal against the broker's plain consume rate of the same topic, in one run, and the lag from an
 * event's produce to its row being queryable:
 * {@code mvn -q -o -pl deploy/journal test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.filetrail.journal.bench.JournalBenchmark [-Dexec.args="20000 1000"]} (events, commit ms).
 */
public final class JournalBenchmark {
    private JournalBenchmark() {
    }

    public static void main(String[] args) {
        int code = 0;
        try {
            measure(args.length > 0 ? Integer.parseInt(args[0]) : 20_000, args.length > 1 ? Long.parseLong(args[1]) : 1000);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code); // s3proxy's and Kafka's non-daemon threads would keep exec:java waiting
    }

    private static void measure(int events, long commitMs) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); PostgresServer postgres = PostgresServer.start(0);
             EmbeddedS3 s3 = EmbeddedS3.start(0)) {
            kafka.createFiletrailTopics();
            try (var client = s3.client()) {
                client.createBucket(b -> b.bucket(JournalConfig.LOCAL_WAREHOUSE_BUCKET));
            }
            try (Admin admin = kafka.admin()) {
                JournalSink.createTopics(admin, (short) 1);
            }
            Map<String, String> env = new HashMap<>();
            env.put("JOURNAL_CATALOG_URL", postgres.createDatabase("journal_bench"));
            env.put("S3_ENDPOINT", s3.endpoint().toString());
            env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
            env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
            env.put("JOURNAL_COMMIT_INTERVAL_MS", String.valueOf(commitMs));
            JournalConfig config = JournalConfig.fromEnvironment(env);
            produce(kafka, oneDay(JournalSamples.events("bench", events, 11)));

            // the broker's rate: one plain consumer reads the same records from the start
            long consumeStart = System.nanoTime();
            long consumed = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = kafka.settings(KafkaRole.OPS).newConsumer(
                    Map.of("auto.offset.reset", "earliest", "enable.auto.commit", "false"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.OBJECT_EVENTS.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (consumed < events) {
                    consumed += consumer.poll(Duration.ofMillis(200)).count();
                }
            }
            double consumeSeconds = (System.nanoTime() - consumeStart) / 1e9;

            // the journal's rate: from the connector's start to every row committed
            JournalReader reader = new JournalReader(config);
            long sinkStart = System.nanoTime();
            try (JournalSink sink = JournalSink.start(config, kafka.settings(KafkaRole.JOURNAL), 1)) {
                while (reader.rowCount() < events) {
                    Thread.sleep(100);
                }
                double sinkSeconds = (System.nanoTime() - sinkStart) / 1e9;

                // lag: one event at a time, from the producer's ack to the row being in the current snapshot
                List<Long> lags = new ArrayList<>();
                List<ObjectEvent> probes = oneDay(JournalSamples.events("lag", 15, 12));
                long rows = reader.rowCount();
                for (ObjectEvent probe : probes) {
                    long sent = System.nanoTime();
                    produce(kafka, List.of(probe));
                    rows++;
                    while (reader.rowCount() < rows) {
                        Thread.sleep(20);
                    }
                    lags.add((System.nanoTime() - sent) / 1_000_000);
                }
                Collections.sort(lags);
                System.out.printf("events=%d commitMs=%d%n", events, commitMs);
                System.out.printf("broker consume: %.1f s, %.0f records/s%n", consumeSeconds, events / consumeSeconds);
                System.out.printf("journal (start to all rows committed): %.1f s, %.0f rows/s (ratio to consume %.3f)%n",
                        sinkSeconds, events / sinkSeconds, (events / sinkSeconds) / (events / consumeSeconds));
                System.out.printf("lag produce->queryable over %d events: p50 %d ms, max %d ms%n", lags.size(),
                        lags.get(lags.size() / 2), lags.get(lags.size() - 1));
            }
        }
    }

    /**
     * The samples moved into one day, 40 ms apart: what a commit of a live journal holds (one or two day partitions
     * per bucket). The samples themselves are 100 minutes apart, years in all, so each commit would write one small
     * Parquet file per (day, bucket) — thousands — and measure Parquet's per-file cost instead of the journal.
     */
    private static List<ObjectEvent> oneDay(List<ObjectEvent> samples) {
        java.time.Instant base = java.time.Instant.parse("2026-11-30T08:00:00Z");
        List<ObjectEvent> out = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            ObjectEvent e = samples.get(i);
            java.time.Instant at = base.plusMillis(40L * i);
            out.add(new ObjectEvent(e.eventId(), e.bucket(), e.key(), e.versionId(), e.sequencer(), e.type(),
                    e.eventName(), e.size(), e.eTag(), e.storageClass(), at, e.region(), e.requester(), e.sourceIp(),
                    e.restoreExpiryTime(), e.restoreStorageClass(), e.origin(), e.ingestedAt()));
        }
        return out;
    }

    private static void produce(EmbeddedKafka kafka, List<ObjectEvent> events) {
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.BRIDGE).newProducer(
                Map.of("linger.ms", 5, "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (ObjectEvent e : events) {
                producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), e.recordKey(), ObjectEventWriter.write(e)));
            }
            producer.flush();
        }
    }
}
