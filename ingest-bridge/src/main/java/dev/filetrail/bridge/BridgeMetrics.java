package dev.filetrail.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The bridge's meters, named once so the poller and the tests agree on them. */
public final class BridgeMetrics {
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter skipped;
    private final Counter deadLettered;
    private final Counter deleted;
    private final Counter failedMessages;
    private final Counter released;
    private final Timer batchLatency;
    private final Map<String, Counter> produced = new ConcurrentHashMap<>();
    private final AtomicLong queueVisible = new AtomicLong(-1);
    private final AtomicLong queueInFlight = new AtomicLong(-1);

    public BridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received = Counter.builder("bridge.messages.received").description("SQS messages received").register(registry);
        this.skipped = Counter.builder("bridge.messages.skipped").description("messages acknowledged without events (s3:TestEvent)").register(registry);
        this.deadLettered = Counter.builder("bridge.messages.dead_lettered").description("messages parked on the ingest DLQ topic").register(registry);
        this.deleted = Counter.builder("bridge.messages.deleted").description("SQS messages deleted after Kafka acknowledged them").register(registry);
        this.failedMessages = Counter.builder("bridge.messages.failed").description("messages left on SQS because a produce failed").register(registry);
        this.released = Counter.builder("bridge.messages.released").description("messages handed back to SQS unprocessed (shutdown, failure)").register(registry);
        this.batchLatency = Timer.builder("bridge.batch.latency").description("receive-to-delete time of one SQS batch")
                .publishPercentileHistogram().register(registry);
        Gauge.builder("bridge.queue.depth", queueVisible, AtomicLong::get).tag("state", "visible")
                .description("approximate messages waiting in the queue (-1 until first read)").register(registry);
        Gauge.builder("bridge.queue.depth", queueInFlight, AtomicLong::get).tag("state", "in_flight")
                .description("approximate messages received but not deleted").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void received(int count) {
        received.increment(count);
    }

    public void produced(String topic) {
        // Looked up once per topic rather than building the meter id (name + tags) again for every record.
        produced.computeIfAbsent(topic, t -> registry.counter("bridge.records.produced", "topic", t)).increment();
    }

    public void skipped() {
        skipped.increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    public void deleted(int count) {
        deleted.increment(count);
    }

    public void failed(int count) {
        failedMessages.increment(count);
    }

    public void released(int count) {
        released.increment(count);
    }

    public Timer batchLatency() {
        return batchLatency;
    }

    public void queueDepth(long visible, long inFlight) {
        queueVisible.set(visible);
        queueInFlight.set(inFlight);
    }

    public double count(String name) {
        Counter counter = registry.find(name).counter();
        return counter == null ? 0 : counter.count();
    }
}
