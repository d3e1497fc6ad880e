package dev.filetrail.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.filetrail.events.Json;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one input topic's JSON into its record type. What it cannot read (not JSON of that type, a tombstone, a
 * record larger than {@link #MAX_INPUT_BYTES}) throws a {@link SerializationException} whose message is the reason,
 * and Kafka Streams hands the record to the deserialization handler, which dead-letters it.
 */
public final class InputDeserializer<T> implements Deserializer<T> {
    /**
     * Largest input the topology applies. A version's stored state merges the results of two processors and every
     * output carries one version, so inputs of this size keep store values (changelogs, whose topics have Kafka's
     * 1 MB default) and outputs under the limits a broker enforces. S3 notifications are a few KB, results a few
     * more; anything this large is not what the producers write.
     */
    public static final int MAX_INPUT_BYTES = 256 * 1024;

    /** The shared mapper's configuration, with the fast path for the inputs' one timestamp form. */
    private static final ObjectMapper INPUT = Json.MAPPER.copy().registerModule(IsoInstants.module());

    private final Class<T> type;
    private final ObjectReader reader;

    private InputDeserializer(Class<T> type) {
        this.type = type;
        this.reader = INPUT.readerFor(type);
    }

    public static <T> InputDeserializer<T> of(Class<T> type) {
        return new InputDeserializer<>(type);
    }

    @Override
    public T deserialize(String topic, byte[] value) {
        if (value == null) {
            throw new SerializationException("a tombstone (null value) is not a " + type.getSimpleName());
        }
        if (value.length > MAX_INPUT_BYTES) {
            throw new SerializationException("record of " + value.length + " bytes is larger than the "
                    + MAX_INPUT_BYTES + " bytes an input may have");
        }
        try {
            T read = reader.readValue(value);
            if (read == null) {
                throw new SerializationException("JSON null is not a " + type.getSimpleName());
            }
            return read;
        } catch (SerializationException e) {
            throw e;
        } catch (Exception e) {
            String text = new String(value, 0, Math.min(value.length, 200), StandardCharsets.UTF_8);
            throw new SerializationException("not a valid " + type.getSimpleName() + " (" + firstLine(e.getMessage())
                    + "): " + text, e);
        }
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}
