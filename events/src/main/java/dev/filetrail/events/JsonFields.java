package dev.filetrail.events;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The pieces of a hand-written JSON writer that must write what {@link Json#MAPPER} writes (nulls left out, instants
 * in {@link IsoInstants}' form), shared so that every hand-written writer of a record agrees with the mapper alike.
 */
public final class JsonFields {

    private JsonFields() {
    }

    /** What a hand-written writer puts into the generator it is given. */
    @FunctionalInterface
    public interface Body<T> {
        void write(JsonGenerator g, T value) throws IOException;
    }

    /** {@code value} written by {@code body} as UTF-8, with the mapper's generator settings and pooled buffers. */
    public static <T> byte[] bytes(T value, Body<T> body) {
        // The mapper's own pooled buffers, as its writeValueAsBytes takes them: a fresh buffer per record cost more
        // allocation than the bean path saved (CodecBenchmark, -prof gc).
        JsonFactory factory = Json.MAPPER.getFactory();
        BufferRecycler buffers = factory._getBufferRecycler();
        try (ByteArrayBuilder out = new ByteArrayBuilder(buffers)) {
            try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
                body.write(g, value);
            }
            byte[] bytes = out.toByteArray();
            out.release();
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName(), e);
        } finally {
            buffers.releaseToPool();
        }
    }

    /** The field, or nothing when {@code value} is null. */
    public static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeString(value);
        }
    }

    /** The field, or nothing when {@code value} is null. */
    public static void number(JsonGenerator g, SerializableString name, Long value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeNumber(value.longValue());
        }
    }

    /** The field as {@code 2025-03-14T09:26:53.589Z}, or nothing when {@code value} is null. */
    public static void instant(JsonGenerator g, SerializableString name, Instant value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            char[] text = new char[30];
            int length = IsoInstants.write(value, text);
            if (length < 0) {
                g.writeString(value.toString());
            } else {
                g.writeString(text, 0, length);
            }
        }
    }
}
