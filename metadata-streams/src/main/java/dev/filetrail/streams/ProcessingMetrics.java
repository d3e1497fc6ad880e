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
        if (topic.equals(Topics.OBJECT_EVENTS.name())) {
            return "object-events";
        }
        if (topic.equals(Topics.PROCESSING_RESULTS.name())) {
            return "processing-results";
        }
        if (topic.equals(Topics.ACCESS_EVENTS.name())) {
            return "access-events";
        }
        return topic.equals(Topics.SHARE_COMMANDS.name()) ? "share-commands" : "unknown";
    }

    public double count(String input, String outcome) {
        Counter counter = counters.get(input + '|' + outcome);
        return counter == null ? 0 : counter.count();
    }
}
