package dev.filetrail.api.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.filetrail.events.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a JSON answer straight into the response's output stream. Javalin's {@code ctx.json} renders a whole
 * String first and then encodes it into a second copy; a 50-version history page is over 10 KB, so that was two
 * such buffers per request on the routes internal services call most.
 */
public final class JsonBody {
    /**
     * Neither closes nor flushes the stream: Javalin finishes the response after the handler, and an unflushed
     * answer that fits Jetty's buffer still goes out with a Content-Length instead of chunked.
     */
    private static final ObjectWriter WRITER = Json.MAPPER.writer()
            .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .without(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);

    private JsonBody() {
    }

    /** Answers {@code value} as {@code application/json} with the status already set on {@code ctx}. */
    public static void write(Context ctx, Object value) {
        ctx.contentType("application/json");
        try {
            WRITER.writeValue(ctx.outputStream(), value);
        } catch (IOException e) {
            // The client went away mid-answer; nothing is left to tell it.
            throw new UncheckedIOException("response to " + ctx.path() + " could not be written", e);
        }
    }

    /** {@code value} as JSON bytes, for an answer that is also kept (see {@code FileAnswerCache}). */
    public static byte[] bytes(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("answer could not be serialised", e);
        }
    }

    /** Answers bytes that {@link #bytes} made, as {@code application/json}. */
    public static void writeBytes(Context ctx, byte[] body) {
        ctx.contentType("application/json");
        ctx.result(body);
    }
}
