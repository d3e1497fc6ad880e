package dev.filetrail.events.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.WireValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ObjectEventWriterTest {

    @Property(tries = 2000)
    void writesTheBytesJacksonWrites(@ForAll("events") ObjectEvent event) {
        byte[] written = ObjectEventWriter.write(event);

        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(event), StandardCharsets.UTF_8));
        assertThat(Json.read(written, ObjectEvent.class)).isEqualTo(event);
    }

    @Test
    void aTypicalEventKeepsItsFieldOrderAndLeavesNullsOut() {
        ObjectEvent event = new ObjectEvent("id", "b", "photos/a \"b\"\n.jpg", null, "00AB", ObjectEventType.VERSION_CREATED,
                "ObjectCreated:Put", 12L, "e", "STANDARD", Instant.parse("2026-11-26T10:00:00.120Z"), "us-east-1", null,
                null, null, null, new Origin(Origin.S3_NOTIFICATION, "m", null, null),
                Instant.parse("2026-11-26T10:00:01Z"));

        assertThat(new String(ObjectEventWriter.write(event), StandardCharsets.UTF_8)).isEqualTo(
                "{\"eventId\":\"id\",\"bucket\":\"b\",\"key\":\"photos/a \\\"b\\\"\\n.jpg\",\"sequencer\":\"00AB\","
                        + "\"type\":\"VERSION_CREATED\",\"eventName\":\"ObjectCreated:Put\",\"size\":12,\"eTag\":\"e\","
                        + "\"storageClass\":\"STANDARD\",\"eventTime\":\"2026-11-26T10:00:00.120Z\","
                        + "\"region\":\"us-east-1\",\"origin\":{\"source\":\"s3-notification\",\"sqsMessageId\":\"m\"},"
                        + "\"ingestedAt\":\"2026-11-26T10:00:01Z\"}");
    }

    @Provide
    Arbitrary<ObjectEvent> events() {
        Arbitrary<String> text = WireValues.text(40);
        Arbitrary<Instant> instants = WireValues.instants();
        Arbitrary<Long> sizes = Arbitraries.longs().injectNull(0.2);
        Arbitrary<ObjectEventType> types = Arbitraries.of(ObjectEventType.class).injectNull(0.05);
        Arbitrary<Origin> origins = Combinators.combine(text, text, text, text).as(Origin::new).injectNull(0.2);
        Arbitrary<String[]> strings = text.array(String[].class).ofSize(12);
        Arbitrary<Instant[]> times = instants.array(Instant[].class).ofSize(3);
        return Combinators.combine(strings, times, sizes, types, origins).as((s, t, size, type, origin) ->
                new ObjectEvent(s[0], s[1], s[2], s[3], s[4], type, s[5], size, s[6], s[7], t[0], s[8], s[9], s[10],
                        t[1], s[11], origin, t[2]));
    }
}
