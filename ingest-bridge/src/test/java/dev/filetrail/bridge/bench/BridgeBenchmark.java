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
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
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
 * Args: [messages per SQS round, default 20000] [records for parse+produce, default 100000] [rounds, default 3].
 */
public final class BridgeBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); EmbeddedSqs sqs = EmbeddedSqs.start(0)) {
            try (Admin admin = kafka.admin()) {
                new TopicSetup(6, (short) 1, -1).ensure(admin);
            }
            boolean sqsRounds = !"skip-sqs".equals(System.getProperty("bench.mode"));
            System.out.printf("SQS -> Kafka, %d messages (one S3 record each, SNS-wrapped), %d rounds%n", messages, repeats);
            System.out.println("steady state: from the first tenth of the messages deleted to the last; whole run: from"
                    + " the first request (the bridge: from the call to start()); CPU: the whole JVM's (SQS server, Kafka"
                    + " broker and client) per message. Each round runs both sides on the same queue, in alternating"
                    + " order; the ratio reported is the median of the rounds' ratios (the machine is shared and noisy).");
            System.out.println("pollers | round ratios | median bridge / bare | median round: bare msg/s, bridge ev/s"
                    + " | whole-run ratio | CPU us/msg: bare, bridge");
            int[] pollerCounts = java.util.Arrays.stream(System.getProperty("bench.pollers", "1,2,4").split(","))
                    .mapToInt(Integer::parseInt).toArray();
            for (int pollers : sqsRounds ? pollerCounts : new int[0]) {
                List<Rate[]> rounds = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    String queue = sqs.createQueueWithDlq("bench-" + pollers + "-" + r, 100, 60);
                    Rate bare = null;
                    Rate bridge = null;
                    for (int side = 0; side < 2; side++) {
                        boolean bareTurn = (side == 0) == (r % 2 == 0);
                        fill(sqs, queue, messages, (bareTurn ? "bare-" : "bridge-") + pollers + "-" + r);
                        if (bareTurn) {
                            bare = bareLoop(sqs, queue, pollers, messages);
                        } else {
                            bridge = bridge(kafka, sqs, queue, pollers, messages);
                        }
                    }
                    rounds.add(new Rate[] {bare, bridge});
                }
                rounds.sort(java.util.Comparator.comparingDouble(pair -> pair[1].steady() / pair[0].steady()));
                Rate[] median = rounds.get(rounds.size() / 2);
                StringBuilder each = new StringBuilder();
                for (Rate[] pair : rounds) {
                    each.append(each.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.0f%%",
                            100 * pair[1].steady() / pair[0].steady()));
                }
                System.out.printf(Locale.ROOT, "%7d | %s | %.1f%% | %.0f, %.0f | %.1f%% | %.0f, %.0f%n", pollers, each,
                        100 * median[1].steady() / median[0].steady(), median[0].steady(), median[1].steady(),
                        100 * median[1].whole() / median[0].whole(), median[0].cpuMicrosPerMessage(),
                        median[1].cpuMicrosPerMessage());
                System.out.printf(Locale.ROOT, "        CPU us/msg by owner, median over rounds (bare | bridge): own"
                                + " threads %s | %s; SQS server %s | %s; Kafka broker %s | %s%n",
                        medianMicros(rounds, 0, ThreadCpu.Split::side, messages),
                        medianMicros(rounds, 1, ThreadCpu.Split::side, messages),
                        medianMicros(rounds, 0, ThreadCpu.Split::sqsServer, messages),
                        medianMicros(rounds, 1, ThreadCpu.Split::sqsServer, messages),
                        medianMicros(rounds, 0, ThreadCpu.Split::broker, messages),
                        medianMicros(rounds, 1, ThreadCpu.Split::broker, messages));
            }

            System.out.printf("%nparse+produce without SQS, %d records, %d rounds%n", records, repeats);
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
                System.out.printf(Locale.ROOT, "(translate alone: %.0f events/s, %.1f us each, %d bytes)%n",
                        records / seconds(start), seconds(start) * 1e6 / records, bytes);
            }
            System.out.println("round | bare producer rec/s | translate+produce ev/s | ratio | CPU us/record: bare,"
                    + " translate+produce (whole JVM: client, sender thread, broker)");
            List<double[]> rounds = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                // Alternating order, paired ratio per round: drift in the machine's load hits both sides alike.
                double[] bare = null;
                double[] bridge = null;
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == (r % 2 == 0)) {
                        bare = bareProducer(kafka, prepared);
                    } else {
                        bridge = translateAndProduce(kafka, translator, inbound);
                    }
                }
                rounds.add(new double[] {bare[0], bridge[0], bare[1], bridge[1]});
                System.out.printf(Locale.ROOT, "%5d | %19.0f | %22.0f | %4.1f%% | %.1f, %.1f%n", r, bare[0], bridge[0],
                        100 * bridge[0] / bare[0], bare[1], bridge[1]);
            }
            rounds.sort(java.util.Comparator.comparingDouble(x -> x[1] / x[0]));
            double[] median = rounds.get(rounds.size() / 2);
            System.out.printf(Locale.ROOT, "median round: bare %.0f rec/s, translate+produce %.0f ev/s, ratio %.1f%%;"
                    + " CPU us/record %.1f vs %.1f%n", median[0], median[1], 100 * median[1] / median[0], median[2],
                    median[3]);
        }
        System.exit(0);
    }

    /**
     * Steady-state msg/s of a bare receive+delete loop: from the moment a tenth of the messages are deleted (start-up
     * done: connections open, code compiled) until the last one is; the whole-run rate and CPU time beside it.
     */
    private static Rate bareLoop(EmbeddedSqs sqs, String queue, int pollers, int expected) throws Exception {
        AtomicLong deleted = new AtomicLong();
        Window window = new Window(expected);
        ExecutorService threads = Executors.newFixedThreadPool(pollers);
        try (SqsClient client = sqs.client()) {
            ThreadCpu threadCpu = ThreadCpu.start();
            long cpu = processCpuNanos();
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
                        window.observe(deleted.addAndGet(batch.size()), System.nanoTime());
                    }
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
            Rate rate = window.rate(start, processCpuNanos() - cpu).withThreads(threadCpu.stop());
            System.out.println("  (bare, " + pollers + " pollers: " + rate.threads().describe(expected) + ")");
            return rate;
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Events/s of a bridge draining the queue, measured like the bare loop (steady state from a tenth of the messages
     * deleted; whole run from the call to {@code start()}, which includes the topic check and the HTTP server).
     */
    private static Rate bridge(EmbeddedKafka kafka, EmbeddedSqs sqs, String queue, int pollers, int expected)
            throws InterruptedException {
        BridgeConfig config = BridgeConfig.local().withKafka(kafka.settings(KafkaRole.BRIDGE))
                .withSqs(sqs.endpoint().toString(), queue).withPolling(pollers, 1, 60).withMetricsPort(0)
                .withProducerPipeline(Integer.getInteger("bench.lingerMs", BridgeConfig.DEFAULT_KAFKA_LINGER_MS),
                        Integer.getInteger("bench.batchesInFlight", BridgeConfig.DEFAULT_BATCHES_IN_FLIGHT));
        Window window = new Window(expected);
        try (IngestBridge bridge = new IngestBridge(config)) {
            ThreadCpu threadCpu = ThreadCpu.start();
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            bridge.start();
            // Looked up once: a registry search every millisecond would take CPU from the bridge it measures.
            io.micrometer.core.instrument.Counter deleted = bridge.metrics().registry().get("bridge.messages.deleted")
                    .counter();
            long count;
            do {
                // 5 ms: finer polling cost the benchmark's own thread 7-12 us of CPU per message, charged to the bridge.
                Thread.sleep(5);
                count = (long) deleted.count();
                window.observe(count, System.nanoTime());
            } while (count < expected);
            Rate rate = window.rate(start, processCpuNanos() - cpu).withThreads(threadCpu.stop());
            System.out.printf(Locale.ROOT, "  (bridge, %d pollers: %.1f messages per SQS batch; %s)%n", pollers,
                    expected / (double) bridge.metrics().batchLatency().count(), rate.threads().describe(expected));
            return rate;
        }
    }

    /** The median over rounds of one side's CPU nanoseconds (from its thread split), in us per message. */
    private static String medianMicros(List<Rate[]> rounds, int side,
                                       java.util.function.ToLongFunction<ThreadCpu.Split> nanos, int messages) {
        double[] values = rounds.stream().mapToDouble(pair -> nanos.applyAsLong(pair[side].threads()) / 1e3 / messages)
                .sorted().toArray();
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", values[values.length / 2], values[0],
                values[values.length - 1]);
    }

    /** A run's rates: steady state (after the first tenth), whole run, and the JVM's CPU time per message. */
    private record Rate(double steady, double whole, double cpuMicrosPerMessage, ThreadCpu.Split threads) {
        Rate withThreads(ThreadCpu.Split split) {
            return new Rate(steady, whole, cpuMicrosPerMessage, split);
        }
    }

    /** Watches a rising delete count: when it passed a tenth of the run, and when it reached the end. */
    private static final class Window {
        private final long expected;
        private long warmCount = -1;
        private long warmAt;
        private long endAt;

        Window(long expected) {
            this.expected = expected;
        }

        synchronized void observe(long count, long now) {
            if (warmCount < 0 && count >= expected / 10) {
                warmCount = count;
                warmAt = now;
            }
            if (endAt == 0 && count >= expected) {
                endAt = now;
            }
        }

        synchronized Rate rate(long startedAt, long cpuNanos) {
            return new Rate((expected - warmCount) / ((endAt - warmAt) / 1e9), expected / ((endAt - startedAt) / 1e9),
                    cpuNanos / 1e3 / expected, null);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
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

    /** [records/s, CPU microseconds per record] of a bare producer sending already-translated bytes. */
    private static double[] bareProducer(EmbeddedKafka kafka, List<OutboundRecord> prepared) {
        KafkaProducer<String, byte[]> client = producer(kafka, "bench-bare");
        try (BridgeProducer producer = new BridgeProducer(client)) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            awaitAll(prepared.stream().map(producer::send).toList());
            double[] result = {prepared.size() / seconds(start), (processCpuNanos() - cpu) / 1e3 / prepared.size()};
            System.out.println("  (bare producer batching: " + batching(client) + ")");
            return result;
        }
    }

    /** [events/s, CPU microseconds per event] of translating the SQS bodies and producing the results. */
    private static double[] translateAndProduce(EmbeddedKafka kafka, MessageTranslator translator,
                                                List<InboundMessage> inbound) {
        KafkaProducer<String, byte[]> client = producer(kafka, "bench-bridge");
        try (BridgeProducer producer = new BridgeProducer(client)) {
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(inbound.size());
            for (InboundMessage m : inbound) {
                for (OutboundRecord record : translator.translate(m).records()) {
                    sends.add(producer.send(record));
                }
            }
            awaitAll(sends);
            double[] result = {inbound.size() / seconds(start), (processCpuNanos() - cpu) / 1e3 / inbound.size()};
            System.out.println("  (translate+produce batching: " + batching(client) + ")");
            return result;
        }
    }

    /** The bridge's own producer settings ({@link BridgeProducer#settings}), for both sides of the comparison. */
    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka, String clientId) {
        return kafka.settings(KafkaRole.BRIDGE).newProducer(BridgeProducer.settings(30_000, clientId,
                BridgeConfig.DEFAULT_KAFKA_LINGER_MS), new StringSerializer(), new ByteArraySerializer());
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
