package dev.filetrail.streams;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.streams.deadletters.DeadLetterKind;
import dev.filetrail.streams.deadletters.DeadLetterRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Whatever arrives, the topology parks what it cannot decode or apply, whole and with its reason, and goes on. */
class BadInputTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<byte[], byte[]> letter, String name) {
        Header h = letter.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void undecodableInputsAreDeadLetteredWholeWithTheirReasonAndHeaders() {
        try (TopologyFixture t = new TopologyFixture()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace-id", utf8("abc-1"));
            byte[] notJson = utf8("{not json");
            t.pipe(Topics.OBJECT_EVENTS.name(), new TestRecord<>(utf8("b/k"), notJson, headers, 1234L));
            t.pipe(Topics.PROCESSING_RESULTS.name(), new TestRecord<>(utf8("b/k"), null, new RecordHeaders(), 1235L));
            byte[] huge = new byte[InputDeserializer.MAX_INPUT_BYTES + 1];
            Arrays.fill(huge, (byte) ' ');
            t.pipe(Topics.SHARE_COMMANDS.name(), new TestRecord<>(utf8("b/k"), huge, new RecordHeaders(), 1236L));

            List<TestRecord<byte[], byte[]>> letters = t.deadLetters();
            assertThat(letters).hasSize(3);
            TestRecord<byte[], byte[]> first = letters.get(0);
            assertThat(first.key()).isEqualTo(utf8("b/k"));
            assertThat(first.value()).isEqualTo(notJson);
            assertThat(first.timestamp()).isEqualTo(1234L);
            assertThat(header(first, "trace-id")).as("the original headers travel along").isEqualTo("abc-1");
            assertThat(header(first, DeadLetterRecorder.HEADER_KIND)).isEqualTo("decode");
            assertThat(header(first, DeadLetterRecorder.HEADER_TOPIC)).isEqualTo(Topics.OBJECT_EVENTS.name());
            assertThat(header(first, DeadLetterRecorder.HEADER_PARTITION)).isEqualTo("0");
            assertThat(header(first, DeadLetterRecorder.HEADER_OFFSET)).isEqualTo("0");
            assertThat(header(first, DeadLetterRecorder.HEADER_MESSAGE)).startsWith("not a valid ObjectEvent");
            assertThat(header(first, DeadLetterRecorder.HEADER_EXCEPTION)).contains("SerializationException");
            assertThat(letters.get(1).value()).isNull();
            assertThat(header(letters.get(1), DeadLetterRecorder.HEADER_MESSAGE)).contains("tombstone");
            assertThat(letters.get(2).value()).isEqualTo(huge);
            assertThat(header(letters.get(2), DeadLetterRecorder.HEADER_MESSAGE))
                    .contains("larger than the " + InputDeserializer.MAX_INPUT_BYTES);
            assertThat(t.topology().deadLetters().count(DeadLetterKind.DECODE)).isEqualTo(3);
            assertThat(t.changes()).isEmpty();
        }
    }

    @Test
    void inputsThatCannotBeAppliedAreDeadLetteredAndProcessingGoesOn() {
        try (TopologyFixture t = new TopologyFixture()) {
            ObjectEvent put = Facts.put("b", "k", "v1", "01", at(1));
            // Keyed by something other than bucket/key: would break co-partitioning, so it is refused.
            byte[] misKeyed = Json.write(put);
            t.sendRaw(Topics.OBJECT_EVENTS.name(), "wrong-key", misKeyed);
            t.send(Facts.put("b", "k", "v2", "XYZ", at(2)));
            ObjectEvent noClass = new ObjectEvent("tr-1", "b", "k", "v1", null, ObjectEventType.STORAGE_CLASS_CHANGED,
                    "LifecycleTransition", null, null, null, at(3), null, null, null, null, null, null, null);
            t.send(noClass);
            t.sendRaw(Topics.SHARE_COMMANDS.name(), "b/k", utf8("{\"type\":\"CREATE\",\"bucket\":\"b\",\"key\":\"k\"}"));
            ProcessingResult nullThumbnail = new ProcessingResult("r-1", ProcessingResult.THUMBNAILER, "b", "k", "v1",
                    ProcessingResult.Status.SUCCEEDED, null, null, null, null, null, null, null,
                    new ArrayList<>(Arrays.asList((dev.filetrail.events.processing.Thumbnail) null)), at(4));
            t.send(nullThumbnail);

            List<TestRecord<byte[], byte[]>> letters = t.deadLetters();
            assertThat(letters).extracting(l -> header(l, DeadLetterRecorder.HEADER_KIND)).containsOnly("apply");
            assertThat(letters).extracting(l -> header(l, DeadLetterRecorder.HEADER_MESSAGE)).containsExactly(
                    "record key 'wrong-key' is not bucket/key 'b/k'",
                    "invalid sequencer 'XYZ'",
                    "storage class change without a storage class",
                    "share command has no commandId",
                    "processing result lists a null thumbnail");
            assertThat(letters.get(0).key()).isEqualTo(utf8("wrong-key"));
            assertThat(letters.get(0).value()).isEqualTo(misKeyed);
            assertThat(letters).extracting(l -> header(l, DeadLetterRecorder.HEADER_TOPIC)).containsExactly(
                    Topics.OBJECT_EVENTS.name(), Topics.OBJECT_EVENTS.name(), Topics.OBJECT_EVENTS.name(), Topics.SHARE_COMMANDS.name(),
                    Topics.PROCESSING_RESULTS.name());
            assertThat(t.changes()).as("a refused record emits nothing").isEmpty();
            assertThat(t.metrics().count("object-events", "dead_lettered")).isEqualTo(3);
            assertThat(t.topology().deadLetters().count(DeadLetterKind.APPLY)).isEqualTo(5);

            t.send(put);
            assertThat(t.changes()).singleElement().satisfies(c -> assertThat(c.versionId()).isEqualTo("v1"));
            assertThat(t.metrics().count("object-events", "applied")).isEqualTo(1);
            assertThat(t.parked()).as("the refused transition was never parked").isEmpty();
        }
    }

    @Test
    void aRefusedRecordLeavesNoSeenIdSoItsCorrectedCopyIsApplied() {
        try (TopologyFixture t = new TopologyFixture()) {
            t.send(Facts.put("b", "k", "v1", "01", at(1)));
            t.send(new ShareCommand("cmd-1", ShareCommand.Type.CREATE, "link-1", "b", "k", "sha", null, null, null,
                    true, "alice", null, Instant.parse("2025-03-01T10:00:00Z")));
            t.links();
            ShareCommand revokeWithoutLink = new ShareCommand("cmd-2", ShareCommand.Type.REVOKE, null, "b", "k", null,
                    null, null, null, null, "alice", null, Instant.parse("2025-03-01T10:01:00Z"));
            t.send(revokeWithoutLink);
            assertThat(t.deadLetters()).hasSize(1);

            t.send(new ShareCommand("cmd-2", ShareCommand.Type.REVOKE, "link-1", "b", "k", null, null, null, null,
                    null, "alice", null, Instant.parse("2025-03-01T10:01:00Z")));
            assertThat(t.links()).singleElement().satisfies(l ->
                    assertThat(l.status()).isEqualTo(dev.filetrail.events.share.ShareLink.Status.REVOKED));
            assertThat(t.metrics().count("share-commands", "duplicate")).isZero();
        }
    }
}
