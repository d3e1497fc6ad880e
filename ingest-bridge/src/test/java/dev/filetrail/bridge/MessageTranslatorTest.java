package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.processing.ProcessingResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTranslatorTest {
    private static final Instant NOW = Instant.parse("2025-03-14T09:27:00Z");
    private static final String QUEUE = "http://127.0.0.1:9324/000000000000/filetrail-ingest";
    private final MessageTranslator translator = new MessageTranslator(QUEUE, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void processingResultGoesToItsTopicByteForByte() {
        ProcessingResult result = new ProcessingResult("r-1", ProcessingResult.THUMBNAILER, "photos", "a b/c.jpg",
                "v1", ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 640, 480, 1234L, "abc", null, List.of(),
                NOW);
        String json = Json.writeString(result).replace("}", ",\"addedLater\":true}");
        for (String body : List.of(json, TestMessages.snsEnvelope(json, "sns-r"))) {
            Translation translation = translator.translate(new InboundMessage("m", body, 1, NOW));
            assertThat(translation).isInstanceOf(Translation.Publish.class);
            assertThat(translation.records()).singleElement().satisfies(record -> {
                assertThat(record.topic()).isEqualTo(Topics.PROCESSING_RESULTS.name());
                assertThat(record.key()).isEqualTo("photos/a b/c.jpg");
                assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(json);
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json at all",
            "",
            "{\"Records\":[]}",
            "{\"Records\":[{\"eventVersion\":\"1.0\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
            "{\"Records\":[{\"eventVersion\":\"3.1\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
            "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{}}}]}",
            "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"yesterday\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}",
            "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"bad%zzkey\"}}}]}",
            "{\"schema\":\"filetrail.processing-result.v1\",\"processor\":\"thumbnailer\"}",
            "{\"hello\":\"world\"}",
            "[1,2,3]",
            "{\"Records\":[]} trailing"
    })
    void unreadableBodiesBecomeDeadLettersCarryingTheRawBody(String body) {
        Translation translation = translator.translate(new InboundMessage("sqs-1", body, 4, NOW));
        assertThat(translation).isInstanceOf(Translation.Reject.class);
        DeadLetter letter = ((Translation.Reject) translation).deadLetter();
        assertThat(letter.rawBody()).isEqualTo(body);
        assertThat(letter.reason()).isNotBlank();
        assertThat(letter.sqsMessageId()).isEqualTo("sqs-1");
        assertThat(letter.queueUrl()).isEqualTo(QUEUE);
        assertThat(letter.receiveCount()).isEqualTo(4);
        assertThat(letter.receivedAt()).isEqualTo(NOW);
        assertThat(letter.id()).isEqualTo(EventIds.sha256Hex("sqs-1", body));
        assertThat(translation.records()).singleElement().satisfies(record -> {
            assertThat(record.topic()).isEqualTo(Topics.INGEST_DLQ.name());
            assertThat(record.key()).isEqualTo(letter.id());
            assertThat(Topics.INGEST_DLQ.values().decode(record.value())).isEqualTo(letter);
        });
    }

    @Test
    void oneBadRecordRejectsTheWholeMessageAndSaysWhichRecord() {
        String good = TestMessages.s3Record("ObjectCreated:Put", "b", "k", "v", "01", 1L);
        String bad = "{\"eventVersion\":\"2.1\",\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2025-03-14T09:26:53.589Z\",\"s3\":{\"object\":{\"key\":\"k\"}}}";
        Translation translation = translator.translate(new InboundMessage("m", "{\"Records\":[" + good + "," + bad + "]}", 1, NOW));
        assertThat(translation).isInstanceOf(Translation.Reject.class);
        assertThat(((Translation.Reject) translation).deadLetter().reason()).contains("Records[1]").contains("s3.bucket.name");
    }

    @Test
    void snsEnvelopeIdsSurviveIntoTheDeadLetter() {
        String body = TestMessages.snsEnvelope("this is not json", "sns-42");
        DeadLetter letter = ((Translation.Reject) translator.translate(new InboundMessage("m", body, 1, NOW))).deadLetter();
        assertThat(letter.snsMessageId()).isEqualTo("sns-42");
        assertThat(letter.reason()).startsWith("SNS Message is not JSON");
        assertThat(letter.rawBody()).isEqualTo(body);
    }

    @Test
    void subscriptionConfirmationIsParkedNotDropped() {
        String body = TestMessages.snsEnvelope("You have chosen to subscribe", "sns-7").replace("\"Notification\"", "\"SubscriptionConfirmation\"");
        Translation translation = translator.translate(new InboundMessage("m", body, 1, NOW));
        assertThat(translation).isInstanceOf(Translation.Reject.class);
        assertThat(((Translation.Reject) translation).deadLetter().reason()).contains("SubscriptionConfirmation");
    }

    @Test
    void minorVersionsAboveOneAreAccepted() {
        for (String version : List.of("2.1", "2.2", "2.3", "2.4", "2.10")) {
            String record = TestMessages.s3Record("ObjectCreated:Put", "b", "k", "v", "01", 1L)
                    .replace("\"2.1\"", "\"" + version + "\"");
            assertThat(translator.translate(new InboundMessage("m", "{\"Records\":[" + record + "]}", 1, NOW)))
                    .as(version).isInstanceOf(Translation.Publish.class);
        }
        String old = TestMessages.s3Record("ObjectCreated:Put", "b", "k", "v", "01", 1L).replace("\"2.1\"", "\"2.0\"");
        assertThat(translator.translate(new InboundMessage("m", "{\"Records\":[" + old + "]}", 1, NOW)))
                .isInstanceOf(Translation.Reject.class);
    }
}
