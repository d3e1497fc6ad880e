package dev.filetrail.events.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.bridge.TestMessages;
import dev.filetrail.events.Json;
import dev.filetrail.events.object.Origin;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The streaming fast path must agree with the tree parser on every body it reads, and leave every body it does
 * not vouch for (answer null) to the tree parser; on the corpus it must actually be the one that reads.
 */
class S3NotificationStreamingParserTest {
    private static final Instant NOW = Instant.parse("2025-03-14T09:27:00Z");
    private static final Origin ORIGIN = new Origin(Origin.S3_NOTIFICATION, "sqs-1", "sns-1", null);
    private static final String GOOD = "{\"Records\":[" + TestMessages.s3Record("ObjectCreated:Put", "bucket-1",
            "photos/a b.jpg", "v1", "0055AED6DCD90281E5", 10L) + "," + TestMessages.s3Record("ObjectRemoved:Delete",
            "bucket-1", "x+y%2B.txt", null, "0055AED6DCD90281E6", null) + "]}";
    private static final List<String> PATHS = List.of("eventVersion", "eventName", "eventTime", "awsRegion",
            "userIdentity", "userIdentity.principalId", "requestParameters.sourceIPAddress", "s3", "s3.configurationId",
            "s3.bucket", "s3.bucket.name", "s3.object", "s3.object.key", "s3.object.size", "s3.object.eTag",
            "s3.object.versionId", "s3.object.sequencer", "lifecycleEventData",
            "lifecycleEventData.transitionEventData.destinationStorageClass",
            "intelligentTieringEventData.destinationAccessTier",
            "glacierEventData.restoreEventData.lifecycleRestorationExpiryTime",
            "glacierEventData.restoreEventData.lifecycleRestoreStorageClass", "Event", "schema", "Type");

    private final S3NotificationStreamingParser streaming = new S3NotificationStreamingParser(Json.MAPPER.getFactory());
    private final S3NotificationParser tree = new S3NotificationParser();

    @Test
    void readsEveryCorpusNotificationExactlyAsTheTreeParserDoes() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/conformance").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        int readByStreaming = 0;
        for (Path file : files) {
            JsonNode testCase = Json.MAPPER.readTree(file.toFile());
            String body = Json.writeString(testCase.get("body"));
            S3Notification fast = streaming.parseOrNull(body, ORIGIN, NOW);
            if (testCase.get("expected").isEmpty()) {
                assertThat(fast).as(file.getFileName().toString()).isNull();
                continue;
            }
            assertThat(fast).as(file.getFileName().toString()).isNotNull()
                    .isEqualTo(tree.parse(Json.MAPPER.readTree(body), ORIGIN, NOW));
            readByStreaming++;
        }
        assertThat(readByStreaming).isGreaterThanOrEqualTo(25);
    }

    @Test
    void leavesEnvelopesTestEventsAndProcessingResultsToTheTreeParser() {
        assertThat(streaming.parseOrNull(TestMessages.snsEnvelope(GOOD, "sns-1"), ORIGIN, NOW)).isNull();
        assertThat(streaming.parseOrNull("{\"Event\":\"s3:TestEvent\",\"Records\":[]}", ORIGIN, NOW)).isNull();
        assertThat(streaming.parseOrNull("{\"schema\":\"x\"," + GOOD.substring(1), ORIGIN, NOW)).isNull();
        assertThat(streaming.parseOrNull(GOOD + " {}", ORIGIN, NOW)).as("trailing tokens").isNull();
        assertThat(streaming.parseOrNull("{\"Records\":[]}", ORIGIN, NOW)).isNull();
        assertThat(streaming.parseOrNull(GOOD, ORIGIN, NOW)).isNotNull();
    }

    @Test
    void readsAnEnvelopeOrARawDeliveryInOnePassAndNeverAMixOfBoth() {
        String envelope = TestMessages.snsEnvelope(GOOD, "sns-1");
        assertThat(streaming.scan(envelope)).isInstanceOfSatisfying(S3NotificationStreamingParser.Envelope.class,
                found -> {
                    assertThat(found.envelope().messageId()).isEqualTo("sns-1");
                    assertThat(found.envelope().message()).isEqualTo(GOOD);
                });
        assertThat(streaming.scan(GOOD)).isInstanceOfSatisfying(S3NotificationStreamingParser.Records.class,
                raw -> assertThat(raw.records()).hasSize(2).allSatisfy(r -> assertThat(r.bucket()).isNotEmpty()));
        assertThat(streaming.scan("{\"Type\":\"Notification\",\"MessageId\":\"m\",\"Message\":\"x\","
                + GOOD.substring(1))).as("envelope fields beside records").isNull();
        assertThat(streaming.scan("{\"Type\":\"Notification\",\"Message\":\"x\"}")).as("no MessageId").isNull();
        assertThat(streaming.scan("{\"Event\":\"s3:TestEvent\"}")).isEqualTo(
                new S3NotificationStreamingParser.Records(List.of(), "s3:TestEvent"));
    }

    @Property(tries = 1000)
    void agreesWithTheTreeParserOnMangledBodies(@ForAll("mangled") String body) {
        S3Notification fast = streaming.parseOrNull(body, ORIGIN, NOW);
        if (fast == null) {
            return;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("streaming read a body that is not JSON: " + body, e);
        }
        assertThat(S3NotificationParser.recognises(node)).isTrue();
        assertThat(fast).isEqualTo(tree.parse(node, ORIGIN, NOW));
    }

    @Provide
    Arbitrary<String> mangled() {
        Arbitrary<String> oneChar = Arbitraries.integers().between(0, GOOD.length() - 1)
                .flatMap(i -> Arbitraries.of('{', '}', '"', ':', ',', 'x', '0', '-', ' ', '[', ']', 'n')
                        .map(c -> GOOD.substring(0, i) + c + GOOD.substring(i + 1)));
        Arbitrary<String> values = Arbitraries.of("null", "1", "-1", "1.5", "true", "{}", "[]", "\"\"", "\"x\"",
                "\"2.0\"", "\"3.1\"", "\"2.10\"", "\"%zz\"", "\"2025-03-14T09:26:53Z\"", "\"not a time\"",
                "{\"name\":\"b\"}", "{\"key\":\"k\"}", "99999999999999999999");
        Arbitrary<String> replaced = Combinators.combine(Arbitraries.of(PATHS), values, Arbitraries.integers().between(0, 1),
                Arbitraries.of(true, false)).as(S3NotificationStreamingParserTest::setField);
        return Arbitraries.oneOf(oneChar, replaced);
    }

    /** GOOD with the field at {@code path} of record {@code index} set to {@code value} (or duplicated). */
    private static String setField(String path, String value, int index, boolean duplicate) {
        try {
            ObjectNode body = (ObjectNode) Json.MAPPER.readTree(GOOD);
            ObjectNode node = (ObjectNode) body.get("Records").get(index);
            String[] parts = path.split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode next = node.get(parts[i]);
                node = next instanceof ObjectNode o ? o : node.putObject(parts[i]);
            }
            String last = parts[parts.length - 1];
            JsonNode replacement = Json.MAPPER.readTree(value);
            if (!duplicate) {
                node.set(last, replacement);
                return Json.writeString(body);
            }
            // A duplicated field: Jackson trees cannot hold one, so splice the text.
            String text = Json.writeString(node);
            String spliced = "{\"" + last + "\":" + value + "," + text.substring(1);
            node.removeAll();
            node.put("__splice__", 0);
            return Json.writeString(body).replace("{\"__splice__\":0}", spliced);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
