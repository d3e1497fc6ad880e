package dev.filetrail.bridge.bench;

import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.InboundMessage;
import dev.filetrail.bridge.IngestBridge;
import dev.filetrail.bridge.MessageTranslator;
import dev.filetrail.bridge.TestMessages;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.TopicSetup;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * SQS → Kafka events/s of the bridge with 1, 2 and 4 pollers beside a bare receive+delete loop on the same queue
 * in the same run; then parse+produce alone beside a bare producer of the same bytes. Bounded, loopback only.
 * Args: [messages per SQS round, default 3000] [records for parse+produce, default 100000] [repeats, default 2].
 */
public final class BridgeBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); EmbeddedSqs sqs = EmbeddedSqs.start(0)) {
            try (Admin admin = kafka.admin()) {
                new TopicSetup(6, (short) 1, -1).ensure(admin);
            }
            boolean sqsRounds = !"skip-sqs".equals(System.getProperty("bench.mode"));
            System.out.printf("SQS -> Kafka, %d messages (one S3 record each, SNS-wrapped), best of %d%n", messages, repeats);
            System.out.println("pollers | bare receive+delete msg/s | bridge events/s | bridge / bare"
                    + " | (bridge incl. start(): events/s, ratio)");
            for (int pollers : sqsRounds ? new int[] {1, 2, 4} : new int[0]) {
                double bare = 0;
                double bridge = 0;
                double bridgeWithStart = 0;
                for (int r = 0; r < repeats; r++) {
                    String queue = sqs.createQueueWithDlq("bench-" + pollers + "-" + r, 100, 60);
                    fill(sqs, queue, messages, "bare-" + pollers + "-" + r);
                    bare = Math.max(bare, bareLoop(sqs, queue, pollers, messages));
                    fill(sqs, queue, messages, "bridge-" + pollers + "-" + r);
                    double[] rates = bridge(kafka, sqs, queue, pollers, messages);
                    bridge = Math.max(bridge, rates[0]);
                    bridgeWithStart = Math.max(bridgeWithStart, rates[1]);
                }
                System.out.printf(Locale.ROOT, "%7d | %25.0f | %15.0f | %12.1f%% | (%.0f, %.1f%%)%n", pollers, bare,
                        bridge, 100 * bridge / bare, bridgeWithStart, 100 * bridgeWithStart / bare);
            }

            System.out.printf("%nparse+produce without SQS, %d records, best of %d%n", records, repeats);
            System.out.println("bare producer (same bytes) rec/s | translate+produce events/s | ratio");
            List<InboundMessage> inbound = new ArrayList<>(records);
            for (int i = 0; i < records; i++) {
                String body = TestMessages.snsEnvelope(TestMessages.s3Put("bench-bucket", List.of("photos/img " + i + ".jpg"), i), "sns-" + i);
                inbound.add(new InboundMessage("m-" + i, body, 1, Instant.now()));
            }
            MessageTranslator translator = new MessageTranslator("q", Clock.systemUTC());
            List<OutboundRecord> prepared = inbound.stream().map(m -> translator.translate(m).records().get(0)).toList();
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                long bytes = 0;
                for (InboundMessage m : inbound) {
                    bytes += translator.translate(m).records().get(0).value().length;
                }
                System.out.printf(Locale.ROOT, "(translate alone: %.0f events/s, %d bytes)%n", records / seconds(start), bytes);
            }
            double bareProducer = 0;
            double parseProduce = 0;
            String bareBatching = "";
            String bridgeBatching = "";
            for (int r = 0; r < repeats; r++) {
                KafkaProducer<String, byte[]> bareClient = producer(kafka, "bench-bare");
                try (BridgeProducer producer = new BridgeProducer(bareClient)) {
                    long start = System.nanoTime();
                    awaitAll(prepared.stream().map(producer::send).toList());
                    double rate = records / seconds(start);
                    if (rate > bareProducer) {
                        bareProducer = rate;
                        bareBatching = batching(bareClient);
                    }
                }
                KafkaProducer<String, byte[]> bridgeClient = producer(kafka, "bench-bridge");
                try (BridgeProducer producer = new BridgeProducer(bridgeClient)) {
                    long start = System.nanoTime();
                    List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(records);
                    for (InboundMessage m : inbound) {
                        for (OutboundRecord record : translator.translate(m).records()) {
                            sends.add(producer.send(record));
                        }
                    }
                    awaitAll(sends);
                    double rate = records / seconds(start);
                    if (rate > parseProduce) {
                        parseProduce = rate;
                        bridgeBatching = batching(bridgeClient);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%32.0f | %26.0f | %5.1f%%%n", bareProducer, parseProduce, 100 * parseProduce / bareProducer);
            System.out.println("(producer batching, bare: " + bareBatching + "; translate+produce: " + bridgeBatching + ")");
        }
        System.exit(0);
    }

    private static double bareLoop(EmbeddedSqs sqs, String queue, int pollers, int expected) throws Exception {
        AtomicLong deleted = new AtomicLong();
        // The clock stops when the last message is deleted, not when idle loops finish their final long poll.
        AtomicLong finished = new AtomicLong();
        ExecutorService threads = Executors.newFixedThreadPool(pollers);
        try (SqsClient client = sqs.client()) {
            long start = System.nanoTime();
            List<Future<?>> loops = new ArrayList<>();
            for (int p = 0; p < pollers; p++) {
                loops.add(threads.submit(() -> {
                    while (deleted.get() < expected) {
                        // The same request the bridge makes (BridgeConfig batch size 10, wait 1 s, visibility 60 s).
                        List<Message> batch = client.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)
                                .waitTimeSeconds(1).visibilityTimeout(60).messageSystemAttributeNames(
                                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
                        if (batch.isEmpty()) {
                            continue;
                        }
                        client.deleteMessageBatch(b -> b.queueUrl(queue).entries(batch.stream().map(m ->
                                software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry.builder()
                                        .id(m.messageId()).receiptHandle(m.receiptHandle()).build()).toList()));
                        if (deleted.addAndGet(batch.size()) >= expected) {
                            finished.compareAndSet(0, System.nanoTime());
                        }
                    }
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
            return expected / ((finished.get() - start) / 1e9);
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Events/s of a bridge draining the queue: [0] timed from the end of {@code start()} (topic check, HTTP
     * server: one-off costs the bare loop has no counterpart for; the pollers start at its very end), [1] timed
     * from the call to {@code start()}. Both stop when the last message is deleted.
     */
    private static double[] bridge(EmbeddedKafka kafka, EmbeddedSqs sqs, String queue, int pollers, int expected)
            throws InterruptedException {
        BridgeConfig config = BridgeConfig.local().withKafka(kafka.bootstrapServers())
                .withSqs(sqs.endpoint().toString(), queue).withPolling(pollers, 1, 60).withMetricsPort(0);
        try (IngestBridge bridge = new IngestBridge(config)) {
            long beforeStart = System.nanoTime();
            bridge.start();
            long started = System.nanoTime();
            while (bridge.metrics().count("bridge.messages.deleted") < expected) {
                Thread.sleep(1);
            }
            long end = System.nanoTime();
            return new double[] {expected / ((end - started) / 1e9), expected / ((end - beforeStart) / 1e9)};
        }
    }

    private static void fill(EmbeddedSqs sqs, String queue, int messages, String tag) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (SqsClient client = sqs.client()) {
            List<Future<?>> sends = new ArrayList<>();
            for (int from = 0; from < messages; from += 10) {
                int first = from;
                sends.add(threads.submit(() -> {
                    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = first; i < Math.min(messages, first + 10); i++) {
                        String body = TestMessages.snsEnvelope(TestMessages.s3Put("bench-" + tag,
                                List.of("photos/img " + i + ".jpg"), i), tag + "-" + i);
                        entries.add(SendMessageBatchRequestEntry.builder().id(String.valueOf(i)).messageBody(body).build());
                    }
                    client.sendMessageBatch(b -> b.queueUrl(queue).entries(entries));
                }));
            }
            for (Future<?> send : sends) {
                send.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** The bridge's own producer settings ({@link BridgeProducer#properties}), for both sides of the comparison. */
    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka, String clientId) {
        return new KafkaProducer<>(BridgeProducer.properties(kafka.bootstrapServers(), 30_000, clientId),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static String batching(KafkaProducer<String, byte[]> producer) {
        Map<String, Double> values = new TreeMap<>();
        producer.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-metrics") && List.of("records-per-request-avg", "batch-size-avg",
                    "compression-rate-avg", "request-total").contains(name.name())) {
                values.put(name.name(), ((Number) metric.metricValue()).doubleValue());
            }
        });
        StringBuilder text = new StringBuilder();
        values.forEach((name, value) -> text.append(text.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s=%.2f", name, value)));
        return text.toString();
    }

    private static void awaitAll(List<CompletableFuture<RecordMetadata>> sends) {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
