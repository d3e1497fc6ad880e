package dev.filetrail.streams.deadletters;

import dev.filetrail.streams.BadInputException;
import dev.filetrail.streams.ProcessingMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a record the topology cannot handle into its dead letter for {@code filetrail.streams-dlq.v1}: the original
 * key, value and headers, untouched, plus headers saying why and where from (the names of Kafka Streams' own
 * dead-letter records, KIP-1034, and the kind). Logs every letter with a line starting
 * {@code streams record dead-lettered} (an alarm matches it) and counts it in
 * {@code filetrail_streams_dead_letters{kind,input}}. The handlers return the letter to Kafka Streams, which sends it
 * with the task's producer, in the transaction that commits the offsets passing the record.
 */
public final class DeadLetterRecorder {
    /** The streams setting under which the handlers find this recorder (an object, not a string). */
    public static final String CONFIG = "filetrail.streams.dead-letters";

    public static final String HEADER_EXCEPTION = "__streams.errors.exception";
    public static final String HEADER_MESSAGE = "__streams.errors.message";
    public static final String HEADER_STACKTRACE = "__streams.errors.stacktrace";
    public static final String HEADER_TOPIC = "__streams.errors.topic";
    public static final String HEADER_PARTITION = "__streams.errors.partition";
    public static final String HEADER_OFFSET = "__streams.errors.offset";
    public static final String HEADER_KIND = "filetrail.dead-letter.kind";
    /** Present when the original bytes were gone and the value is the decoded record written again. */
    public static final String HEADER_REENCODED = "filetrail.dead-letter.re-encoded";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);
    private static final int LOGGED_KEY_CHARS = 300;

    private final String topic;
    private final MeterRegistry registry;
    private final ProcessingMetrics processing;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    /**
     * @param topic      where letters go ({@code filetrail.streams-dlq.v1}, suffixed like the outputs in a rebuild)
     * @param processing the per-input record counts, which count a letter as outcome {@code dead_lettered}
     */
    public DeadLetterRecorder(String topic, MeterRegistry registry, ProcessingMetrics processing) {
        this.topic = topic;
        this.registry = registry;
        this.processing = processing;
    }

    public String topic() {
        return topic;
    }

    /** Where the failing record came from, as Kafka Streams reports it to a handler. */
    public record Source(String topic, int partition, long offset, long timestamp, Headers headers) {
    }

    /** Builds, logs and counts the letter of one record; {@code key}/{@code value} are its original bytes. */
    public ProducerRecord<byte[], byte[]> letter(DeadLetterKind kind, Source source, byte[] key, byte[] value,
                                                 Exception cause) {
        String reason = reason(cause);
        RecordHeaders headers = new RecordHeaders();
        if (source.headers() != null) {
            for (Header header : source.headers()) {
                headers.add(header);
            }
        }
        headers.add(HEADER_EXCEPTION, utf8(cause.getClass().getName()));
        headers.add(HEADER_MESSAGE, utf8(reason));
        headers.add(HEADER_STACKTRACE, utf8(stackTrace(cause)));
        headers.add(HEADER_TOPIC, utf8(String.valueOf(source.topic())));
        headers.add(HEADER_PARTITION, utf8(String.valueOf(source.partition())));
        headers.add(HEADER_OFFSET, utf8(String.valueOf(source.offset())));
        headers.add(HEADER_KIND, utf8(kind.word()));
        String input = ProcessingMetrics.inputName(String.valueOf(source.topic()));
        counter(kind, input).increment();
        processing.record(input, "dead_lettered");
        if (expected(cause)) {
            log.error("streams record dead-lettered kind={} topic={} partition={} offset={} key={} reason={}",
                    kind.word(), source.topic(), source.partition(), source.offset(), printable(key), reason);
        } else {
            // Not a rule of the topology but a failure nobody foresaw: the stack trace says where.
            log.error("streams record dead-lettered kind={} topic={} partition={} offset={} key={} reason={}",
                    kind.word(), source.topic(), source.partition(), source.offset(), printable(key), reason, cause);
        }
        return new ProducerRecord<>(topic, null, source.timestamp() < 0 ? null : source.timestamp(), key, value,
                headers);
    }

    /** How many letters of this kind were written (all inputs). */
    public double count(DeadLetterKind kind) {
        return counters.entrySet().stream().filter(e -> e.getKey().startsWith(kind.word() + '|'))
                .mapToDouble(e -> e.getValue().count()).sum();
    }

    private Counter counter(DeadLetterKind kind, String input) {
        return counters.computeIfAbsent(kind.word() + '|' + input, k -> Counter.builder("filetrail.streams.dead.letters")
                .description("input records parked on the streams dead-letter topic, by why and where from")
                .tag("kind", kind.word())
                .tag("input", input)
                .register(registry));
    }

    /** Rule breaks and undecodable bytes are expected kinds of bad data; anything else is worth its stack trace. */
    private static boolean expected(Exception cause) {
        return cause instanceof BadInputException || cause instanceof SerializationException;
    }

    static String reason(Exception cause) {
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        return expected(cause) ? message : "unexpected " + cause.getClass().getSimpleName() + ": " + message;
    }

    /** The key as text for a log line: control characters escaped (no forged lines), long keys cut. */
    public static String printable(byte[] key) {
        if (key == null) {
            return "null";
        }
        String text = new String(key, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(Math.min(text.length(), LOGGED_KEY_CHARS) + 8);
        int i = 0;
        for (; i < text.length() && out.length() < LOGGED_KEY_CHARS; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return i < text.length() ? out + "…" : out.toString();
    }

    private static String stackTrace(Throwable cause) {
        StringWriter text = new StringWriter();
        cause.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
