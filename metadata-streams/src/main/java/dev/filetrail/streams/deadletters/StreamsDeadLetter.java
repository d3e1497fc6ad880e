package dev.filetrail.streams.deadletters;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record the topology parked on {@code filetrail.streams-dlq.v1}, as the ops commands read it back.
 *
 * @param id        {@code streams:<partition>:<offset>} of the letter on the dead-letter topic
 * @param timestamp the original record's timestamp (the letter keeps it)
 * @param key       the original key bytes, untouched (null for a record without key)
 * @param value     the original value bytes, untouched (null for a tombstone)
 * @param headers   the original headers, without the ones the letter added
 */
public record StreamsDeadLetter(String id, String kind, String reason, String exception, String sourceTopic,
                                int sourcePartition, long sourceOffset, Instant timestamp, byte[] key, byte[] value,
                                Headers headers) {
    private static final String PREFIX = "streams:";

    /** The id of the letter at this place on the dead-letter topic. */
    public static String id(int partition, long offset) {
        return PREFIX + partition + ":" + offset;
    }

    /** Partition and offset of a letter id, or empty when the text is not one. */
    public static Optional<long[]> place(String id) {
        if (id == null || !id.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = id.substring(PREFIX.length()).split(":");
        try {
            return parts.length == 2 ? Optional.of(new long[] {Integer.parseInt(parts[0]), Long.parseLong(parts[1])})
                    : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The letter a dead-letter record holds, or empty when the record is not one (no source topic). */
    public static Optional<StreamsDeadLetter> of(ConsumerRecord<byte[], byte[]> record) {
        String sourceTopic = text(record.headers(), DeadLetterRecorder.HEADER_TOPIC);
        if (sourceTopic == null) {
            return Optional.empty();
        }
        Headers original = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("__streams.errors.") && !header.key().startsWith("filetrail.dead-letter.")) {
                original.add(header);
            }
        }
        return Optional.of(new StreamsDeadLetter(id(record.partition(), record.offset()),
                text(record.headers(), DeadLetterRecorder.HEADER_KIND),
                text(record.headers(), DeadLetterRecorder.HEADER_MESSAGE),
                text(record.headers(), DeadLetterRecorder.HEADER_EXCEPTION), sourceTopic,
                (int) number(record.headers(), DeadLetterRecorder.HEADER_PARTITION),
                number(record.headers(), DeadLetterRecorder.HEADER_OFFSET),
                record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()), record.key(), record.value(),
                original));
    }

    /** The key as text (keys are UTF-8 {@code bucket/key}; anything else shows replacement characters). */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    public String valueText() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long number(Headers headers, String name) {
        String text = text(headers, name);
        try {
            return text == null ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
