package dev.filetrail.events;

import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde of one {@link Codec}; a record that does not decode fails with the topic and type named. */
public final class CodecSerde<T> implements Serde<T> {
    private final Codec<T> codec;

    public CodecSerde(Codec<T> codec) {
        this.codec = codec;
    }

    /** The serde of {@code topic}'s values. */
    public static <V> CodecSerde<V> values(Topic<?, V> topic) {
        return new CodecSerde<>(topic.values());
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            try {
                return codec.encode(value);
            } catch (RuntimeException e) {
                throw new SerializationException("cannot serialise " + codec.typeName() + " for " + topic, e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            try {
                return codec.decode(bytes);
            } catch (UncheckedIOException e) {
                throw new SerializationException("record on " + topic + " is not a valid " + codec.typeName(),
                        e.getCause());
            }
        };
    }
}
