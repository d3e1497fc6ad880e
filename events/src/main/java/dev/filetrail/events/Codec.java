package dev.filetrail.events;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * How one record type is written to and read from the bytes of a Kafka record: the one codec of that type, used by
 * every producer, consumer and topology through its {@link Topic} declaration. Free of Kafka, so the Lambdas can use
 * it; {@link CodecSerde} makes a Kafka serde of one.
 */
public interface Codec<T> {

    /** The value's bytes; {@code null} for {@code null} (a tombstone). */
    byte[] encode(T value);

    /**
     * The value of {@code bytes}; {@code null} for {@code null}.
     *
     * @throws UncheckedIOException whose message names the type, with the parser's exception as the cause
     */
    T decode(byte[] bytes);

    /** What the codec reads and writes, for error messages ({@code ObjectEvent}, {@code String}). */
    String typeName();

    /** JSON with {@link Json#MAPPER}, the reader and writer bound to the type once (no per-call lookups). */
    static <T> Codec<T> json(Class<T> type) {
        ObjectWriter writer = Json.MAPPER.writerFor(type);
        return json(type, value -> {
            try {
                return writer.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot serialise " + type.getSimpleName(), e);
            }
        });
    }

    /**
     * JSON read with {@link Json#MAPPER} and written by {@code writer}, a hand-written writer that must produce the
     * bytes the mapper would (where one was measured to matter, e.g. {@code ObjectEventWriter}).
     */
    static <T> Codec<T> json(Class<T> type, Function<T, byte[]> writer) {
        ObjectReader reader = Json.MAPPER.readerFor(type);
        return new Codec<>() {
            @Override
            public byte[] encode(T value) {
                return value == null ? null : writer.apply(value);
            }

            @Override
            public T decode(byte[] bytes) {
                if (bytes == null) {
                    return null;
                }
                try {
                    return reader.readValue(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException("not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
                }
            }

            @Override
            public String typeName() {
                return type.getSimpleName();
            }
        };
    }

    /** UTF-8 text: the record keys ({@code bucket/key}, ids). */
    static Codec<String> string() {
        return Strings.UTF_8;
    }

    /** The bytes as they are, for records forwarded untouched. */
    static Codec<byte[]> bytes() {
        return Strings.BYTES;
    }

    /** The two codecs without a JSON mapper. */
    final class Strings {
        private static final Codec<String> UTF_8 = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
            }

            @Override
            public String typeName() {
                return "String";
            }
        };
        private static final Codec<byte[]> BYTES = new Codec<>() {
            @Override
            public byte[] encode(byte[] value) {
                return value;
            }

            @Override
            public byte[] decode(byte[] bytes) {
                return bytes;
            }

            @Override
            public String typeName() {
                return "bytes";
            }
        };

        private Strings() {
        }
    }
}
