package dev.filetrail.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance corpus (src/test/resources/conformance): one S3 notification per event name as AWS documents
 * it, with the canonical events it must become, checked in raw delivery and inside an SNS envelope.
 */
class MessageTranslatorConformanceTest {
    private static final Instant NOW = Instant.parse("2025-03-14T09:27:00Z");
    private static final String QUEUE = "http://127.0.0.1:9324/000000000000/filetrail-ingest";
    private final MessageTranslator translator = new MessageTranslator(QUEUE, Clock.fixed(NOW, ZoneOffset.UTC));

    @TestFactory
    Stream<DynamicTest> everyCorpusCaseInBothDeliveryModes() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/conformance").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(26);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            JsonNode testCase = Json.MAPPER.readTree(file.toFile());
            String body = Json.writeString(testCase.get("body"));
            String name = file.getFileName().toString();
            tests.add(DynamicTest.dynamicTest(name + " (raw delivery)",
                    () -> check(testCase, translator.translate(new InboundMessage("sqs-" + name, body, 1, NOW)),
                            "sqs-" + name, null)));
            tests.add(DynamicTest.dynamicTest(name + " (SNS envelope)",
                    () -> check(testCase, translator.translate(new InboundMessage("sqs-sns-" + name,
                            TestMessages.snsEnvelope(body, "sns-" + name), 2, NOW)), "sqs-sns-" + name, "sns-" + name)));
        }
        return tests.stream();
    }

    private static void check(JsonNode testCase, Translation translation, String sqsId, String snsId) {
        JsonNode expected = testCase.get("expected");
        if (expected.isEmpty()) {
            assertThat(translation).isInstanceOf(Translation.Skip.class);
            assertThat(translation.records()).isEmpty();
            return;
        }
        assertThat(translation).isInstanceOf(Translation.Publish.class);
        assertThat(translation.records()).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode want = expected.get(i);
            OutboundRecord record = translation.records().get(i);
            ObjectEvent event = Json.read(record.value(), ObjectEvent.class);
            assertThat(record.topic()).isEqualTo(Topics.OBJECT_EVENTS.name());
            assertThat(record.key()).isEqualTo(want.get("bucket").asText() + "/" + want.get("key").asText());
            assertThat(event.bucket()).isEqualTo(want.get("bucket").asText());
            assertThat(event.key()).isEqualTo(want.get("key").asText());
            assertThat(event.versionId()).isEqualTo(text(want, "versionId"));
            assertThat(event.sequencer()).isEqualTo(text(want, "sequencer"));
            assertThat(event.type()).isEqualTo(ObjectEventType.valueOf(want.get("type").asText()));
            assertThat(event.eventName()).isEqualTo(want.get("eventName").asText());
            assertThat(event.size()).isEqualTo(want.has("size") ? want.get("size").asLong() : null);
            assertThat(event.eTag()).isEqualTo(text(want, "eTag"));
            assertThat(event.storageClass()).isEqualTo(text(want, "storageClass"));
            assertThat(event.eventTime()).isEqualTo(Instant.parse(want.get("eventTime").asText()));
            assertThat(event.region()).isEqualTo(text(want, "region"));
            assertThat(event.requester()).isEqualTo(text(want, "requester"));
            assertThat(event.sourceIp()).isEqualTo(text(want, "sourceIp"));
            assertThat(event.restoreExpiryTime()).isEqualTo(want.has("restoreExpiryTime")
                    ? Instant.parse(want.get("restoreExpiryTime").asText()) : null);
            assertThat(event.restoreStorageClass()).isEqualTo(text(want, "restoreStorageClass"));
            assertThat(event.origin()).isEqualTo(new Origin(Origin.S3_NOTIFICATION, sqsId, snsId,
                    text(want, "configurationId")));
            assertThat(event.ingestedAt()).isEqualTo(NOW);
            assertThat(event.eventId()).isEqualTo(EventIds.objectEventId(event.bucket(), event.key(),
                    event.versionId(), event.sequencer(), event.eventName(), event.eventTime()));
        }
    }

    @Test
    void theSameDeliveryRawOrWrappedGetsTheSameEventIds() throws Exception {
        String body = Json.writeString(Json.MAPPER.readTree(
                getClass().getResource("/conformance/several-records.json")).get("body"));
        List<String> raw = ids(translator.translate(new InboundMessage("a", body, 1, NOW)));
        List<String> wrapped = ids(translator.translate(new InboundMessage("b",
                TestMessages.snsEnvelope(body, "sns-1"), 3, NOW.plusSeconds(60))));
        assertThat(raw).hasSize(3).doesNotHaveDuplicates().isEqualTo(wrapped);
    }

    private static List<String> ids(Translation translation) {
        return translation.records().stream().map(r -> Json.read(r.value(), ObjectEvent.class).eventId()).toList();
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
