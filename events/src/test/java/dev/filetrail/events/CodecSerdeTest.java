package dev.filetrail.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ProcessingResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class CodecSerdeTest {

    private static final ObjectEvent EVENT = new ObjectEvent("id", "bucket", "a b+c/ü.txt", "v1", "00AA",
            ObjectEventType.VERSION_CREATED, "ObjectCreated:Put", 12L, "etag", "STANDARD",
            Instant.parse("2026-11-26T10:00:00.123Z"), "us-east-1", "AWS:ME", "127.0.0.1", null, null,
            new Origin(Origin.S3_NOTIFICATION, "sqs-1", "sns-1", "cfg"), Instant.parse("2026-11-26T10:00:01Z"));

    @Test
    void roundTripsAnObjectEvent() {
        Serde<ObjectEvent> serde = CodecSerde.values(Topics.OBJECT_EVENTS);
        byte[] bytes = serde.serializer().serialize("t", EVENT);
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(EVENT);
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains("\"eventTime\":\"2026-11-26T10:00:00.123Z\"")
                .doesNotContain("restoreExpiryTime");
    }

    @Test
    void ignoresFieldsAddedByANewerWriter() {
        String json = "{\"eventId\":\"x\",\"bucket\":\"b\",\"key\":\"k\",\"type\":\"VERSION_CREATED\",\"addedLater\":42}";
        ObjectEvent event = CodecSerde.values(Topics.OBJECT_EVENTS).deserializer()
                .deserialize("t", json.getBytes(StandardCharsets.UTF_8));
        assertThat(event.key()).isEqualTo("k");
        assertThat(event.versionOrNull()).isEqualTo(ObjectEvent.NULL_VERSION);
    }

    @Test
    void badBytesRaiseASerializationExceptionNamingTheTopic() {
        assertThatThrownBy(() -> CodecSerde.values(Topics.OBJECT_EVENTS).deserializer()
                .deserialize("some.topic", "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("some.topic");
    }

    @Test
    void processingResultCarriesItsSchemaMarker() {
        ProcessingResult result = new ProcessingResult("r", ProcessingResult.METADATA, "b", "k", "v",
                ProcessingResult.Status.SUCCEEDED, null, "image/png", 10, 20, 30L, "abc", null, List.of(), null);
        assertThat(Json.writeString(result)).contains("\"schema\":\"" + ProcessingResult.SCHEMA + "\"");
        assertThat(Json.read(Json.write(result), ProcessingResult.class)).isEqualTo(result);
    }
}
