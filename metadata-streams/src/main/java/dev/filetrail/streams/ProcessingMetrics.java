package dev.filetrail.streams;

import dev.filetrail.events.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Counts input records by topic and outcome ({@code filetrail_streams_records_total}). */
public final class ProcessingMetrics {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    public ProcessingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String input, String outcome) {
        counters.computeIfAbsent(input + '|' + outcome, k -> Counter.builder("filetrail.streams.records")
                .description("input records by topic and what became of them")
                .tag("input", input)
                .tag("outcome", outcome)
                .register(registry)).increment();
    }

    /** The short name an input topic is counted under. */
    public static String inputName(String topic) {
        return switch (topic) {
            case Topics.OBJECT_EVENTS -> "object-events";
            case Topics.PROCESSING_RESULTS -> "processing-results";
            case Topics.SHARE_COMMANDS -> "share-commands";
            case Topics.ACCESS_EVENTS -> "access-events";
            default -> "unknown";
        };
    }

    public double count(String input, String outcome) {
        Counter counter = counters.get(input + '|' + outcome);
        return counter == null ? 0 : counter.count();
    }
}
