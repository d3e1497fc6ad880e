package dev.filetrail.streams;

import dev.filetrail.events.Codec;
import dev.filetrail.events.Topic;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one input topic's records with the value codec its declaration names. What it cannot read (not JSON of
 * that type, a tombstone, a record larger than {@link #MAX_INPUT_BYTES}) throws a {@link SerializationException}
 * whose message is the reason, and Kafka Streams hands the record to the deserialization handler, which dead-letters it.
 */
public final class InputDeserializer<T> implements Deserializer<T> {
    /**
     * Largest input the topology applies. A version's stored state merges the results of two processors and every
     * output carries one version, so inputs of this size keep store values (changelogs, whose topics have Kafka's
     * 1 MB default) and outputs under the limits a broker enforces. S3 notifications are a few KB, results a few
     * more; anything this large is not what the producers write.
     */
    public static final int MAX_INPUT_BYTES = 256 * 1024;

    private final Codec<T> codec;

    private InputDeserializer(Codec<T> codec) {
        this.codec = codec;
    }

    /** The deserializer of {@code topic}'s values. */
    public static <T> InputDeserializer<T> of(Topic<String, T> topic) {
        return new InputDeserializer<>(topic.values());
    }

    @Override
    public T deserialize(String topic, byte[] value) {
        if (value == null) {
            throw new SerializationException("a tombstone (null value) is not a " + codec.typeName());
        }
        if (value.length > MAX_INPUT_BYTES) {
            throw new SerializationException("record of " + value.length + " bytes is larger than the "
                    + MAX_INPUT_BYTES + " bytes an input may have");
        }
        T read;
        try {
            read = codec.decode(value);
        } catch (RuntimeException e) {
            Throwable reason = e instanceof UncheckedIOException ? e.getCause() : e;
            String text = new String(value, 0, Math.min(value.length, 200), StandardCharsets.UTF_8);
            throw new SerializationException("not a valid " + codec.typeName() + " ("
                    + firstLine(reason.getMessage()) + "): " + text, reason);
        }
        if (read == null) {
            throw new SerializationException("JSON null is not a " + codec.typeName());
        }
        return read;
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
