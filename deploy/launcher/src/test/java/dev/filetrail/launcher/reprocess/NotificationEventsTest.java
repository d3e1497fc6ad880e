package dev.filetrail.launcher.reprocess;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.s3.S3Keys;
import dev.filetrail.events.s3.S3NotificationStreamingParser;
import dev.filetrail.events.s3.S3Record;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The synthetic notifications read back by the reader the processors use ({@code events.s3}). */
class NotificationEventsTest {
    private static final NotificationEvents EVENTS = new NotificationEvents("eu-west-1",
            "arn:aws:sns:eu-west-1:123456789012:filetrail-object-events");
    private static final S3NotificationStreamingParser READER = new S3NotificationStreamingParser(Json.MAPPER.getFactory());

    @Test
    void everyKeyAndItsVersionComeBackAsTheProcessorsReadThem() {
        for (String key : new String[] {"a b+c%d.png", "dir/sub dir/ü 東京.jpg", "x?y&z=1#frag", "~tilde*star'"}) {
            Candidate version = new Candidate(key, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", 1234L, "etag-1",
                    "0055AED6DCD90281E5", "no-derivatives");
            JsonNode event = Json.read(EVENTS.lambdaEvent("rp_0123456789abcdef", "photos", version, Processor.METADATA,
                    Instant.parse("2026-12-02T10:00:00.123456Z")), JsonNode.class);
            JsonNode record = event.path("Records").get(0);
            assertThat(record.path("EventSource").asText()).isEqualTo("aws:sns");
            JsonNode sns = record.path("Sns");
            assertThat(sns.path("Type").asText()).isEqualTo("Notification");
            assertThat(sns.path("TopicArn").asText()).isEqualTo("arn:aws:sns:eu-west-1:123456789012:filetrail-object-events");
            assertThat(sns.path("Timestamp").asText()).isEqualTo("2026-12-02T10:00:00.123Z");

            S3NotificationStreamingParser.Scan scan = READER.scan(sns.path("Message").asText());
            assertThat(scan).isInstanceOf(S3NotificationStreamingParser.Records.class);
            S3Record s3 = ((S3NotificationStreamingParser.Records) scan).records().get(0);
            assertThat(s3.eventName()).isEqualTo("ObjectCreated:Put");
            assertThat(s3.eventVersion()).isEqualTo("2.1");
            assertThat(s3.bucket()).isEqualTo("photos");
            assertThat(S3Keys.decode(s3.key())).as(key).isEqualTo(key);
            assertThat(s3.versionId()).isEqualTo(version.versionId());
            assertThat(s3.size()).isEqualTo(1234L);
            assertThat(s3.eTag()).isEqualTo("etag-1");
            assertThat(s3.sequencer()).isEqualTo("0055AED6DCD90281E5");
        }
    }

    @Test
    void anUnversionedObjectCarriesNoVersionIdAndTheMessageIdIsStablePerProcessor() {
        Candidate version = new Candidate("notes.txt", "null", null, "e", null, "no-metadata");
        Instant now = Instant.parse("2026-12-02T10:00:00Z");
        String metadata = EVENTS.lambdaEvent("rp_0123456789abcdef", "b", version, Processor.METADATA, now);
        JsonNode object = Json.read(Json.read(metadata, JsonNode.class).path("Records").get(0).path("Sns")
                .path("Message").asText(), JsonNode.class).path("Records").get(0).path("s3").path("object");
        assertThat(object.has("versionId")).isFalse();
        assertThat(object.has("size")).isFalse();
        assertThat(object.has("sequencer")).isFalse();

        String again = EVENTS.lambdaEvent("rp_0123456789abcdef", "b", version, Processor.METADATA, now.plusSeconds(5));
        String thumbnail = EVENTS.lambdaEvent("rp_0123456789abcdef", "b", version, Processor.THUMBNAILER, now);
        assertThat(messageId(again)).isEqualTo(messageId(metadata));
        assertThat(messageId(thumbnail)).isNotEqualTo(messageId(metadata));
    }

    private static String messageId(String event) {
        return Json.read(event, JsonNode.class).path("Records").get(0).path("Sns").path("MessageId").asText();
    }
}
