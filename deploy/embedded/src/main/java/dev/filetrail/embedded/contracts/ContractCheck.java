package dev.filetrail.embedded.contracts;

import dev.filetrail.embedded.kafka.TopicContents;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole topics and validates every record against its contract's schema ({@link ContractValidator}). A record
 * the streams dead-lettered is not held against the topic: refusing it whole with its reason is the contract for bad
 * input, and tests write such records on purpose; so is one a test marked with {@link #DELIBERATELY_INVALID} (poison
 * for a consumer that keeps its rejects elsewhere, like the projector's). Run by {@code RealParts} over every Filetrail topic of the shared
 * broker when a test JVM ends, so every record the suite produced is checked.
 */
public final class ContractCheck {
    private static final Logger log = LoggerFactory.getLogger(ContractCheck.class);
    /** KIP-1034 headers the streams' dead letters carry: where the refused record was. */
    private static final String SOURCE_TOPIC = "__streams.errors.topic";
    private static final String SOURCE_PARTITION = "__streams.errors.partition";
    private static final String SOURCE_OFFSET = "__streams.errors.offset";

    /** Header a test puts on a record it writes invalid on purpose (to see it refused, or to probe grants). */
    public static final String DELIBERATELY_INVALID = "filetrail.test.deliberately-invalid";

    private final ContractValidator validator = new ContractValidator();

    /** A record that breaks its topic's schema: where it is, what it holds and what is wrong. */
    public record Violation(String topic, int partition, long offset, String key, String value, List<String> problems) {
        @Override
        public String toString() {
            return "topic=" + topic + " partition=" + partition + " offset=" + offset + " key=" + key + " problems="
                    + problems + " value=" + value;
        }
    }

    /** Thrown when a check finds violations; its message lists every one. */
    public static final class ViolationsException extends AssertionError {
        private final List<Violation> violations;

        ViolationsException(List<Violation> violations) {
            super(violations.size() + " record(s) break their topic's published schema:\n"
                    + String.join("\n", violations.stream().map(Violation::toString).toList()));
            this.violations = List.copyOf(violations);
        }

        public List<Violation> violations() {
            return violations;
        }
    }

    /**
     * Validates every record of the given topics (actual name to contract topic; a streams dead-letter topic among
     * them exempts what its letters name) and throws {@link ViolationsException} naming every violation.
     */
    public void verify(KafkaClientSettings ops, Map<String, String> topics) {
        List<Violation> violations = scan(ops, topics);
        if (!violations.isEmpty()) {
            throw new ViolationsException(violations);
        }
    }

    /** Every violation in the given topics (actual name to contract topic). */
    public List<Violation> scan(KafkaClientSettings ops, Map<String, String> topics) {
        Set<String> deadLettered = new HashSet<>();
        topics.forEach((name, contract) -> {
            if (contract.equals(Topics.STREAMS_DLQ.name())) {
                TopicContents.read(ops, name, r -> deadLettered.add(place(r.headers())));
            }
        });
        List<Violation> violations = new ArrayList<>();
        long[] checked = {0};
        topics.forEach((name, contract) -> TopicContents.read(ops, name, r -> {
            checked[0]++;
            List<String> problems = validator.problems(contract, r.value());
            if (!problems.isEmpty() && !deadLettered.contains(name + "/" + r.partition() + "/" + r.offset())
                    && r.headers().lastHeader(DELIBERATELY_INVALID) == null) {
                violations.add(new Violation(name, r.partition(), r.offset(), text(r.key()), text(r.value()),
                        problems));
            }
        }));
        log.info("contract check done topics={} records={} violations={}", topics.size(), checked[0],
                violations.size());
        return violations;
    }

    private static String place(Headers headers) {
        return header(headers, SOURCE_TOPIC) + "/" + header(headers, SOURCE_PARTITION) + "/"
                + header(headers, SOURCE_OFFSET);
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
