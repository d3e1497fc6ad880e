package dev.filetrail.streams.audit;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.Json;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.TopologyFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class AuditEventsTest {
    private static final String B = "audit-bucket";
    private static final String K = "a b/c.txt";

    /** One scenario that produces every audit type at least once. */
    private static void everyFact(TopologyFixture t) {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        t.send(Facts.marker(B, K, "m1", "02", at(2)));
        t.send(Facts.remove(B, K, "m1", "03", at(3)));
        t.send(Facts.transition(B, K, "v1", "GLACIER", at(4)));
        t.send(Facts.restore(B, K, "v1", ObjectEventType.RESTORE_COMPLETED, at(5), at(86_400)));
        t.send(Facts.tags(B, K, "v1", true, at(6)));
        t.send(Facts.thumbnails(B, K, "v1", at(7)));
        t.send(Facts.createLink("c1", "L1", B, K, null, at(8)));
        t.send(Facts.createLink("c2", "L2", B, K, "missing", at(9)));
        t.send(Facts.command(ShareCommand.Type.RECORD_ACCESS, "c3", "L1", B, K, at(10)));
        t.send(Facts.command(ShareCommand.Type.REVOKE, "c4", "L1", B, K, at(11)));
        t.send(new ShareCommand("c5", ShareCommand.Type.URL_ISSUED, null, B, K, null, "v1", at(900), null, null,
                "alice", "198.51.100.7", at(12)));
        t.send(Facts.put(B, K, "v2", "04", at(13)));
        t.send(Facts.remove(B, K, "v2", "05", at(14)));
        t.send(new AccessEvent("a6", AccessEvent.Type.FILE_RESTORED, null, B, K, "v3", null, "key:k7",
                "198.51.100.7", at(15), "v1"));
        t.send(new AccessEvent("a7", AccessEvent.Type.FILE_UNDELETED, null, B, K, "m2", null, "key:k7",
                "198.51.100.7", at(16)));
        // A rewind of the prefix K (any string is a prefix) to at(1): its life and its one delete action.
        t.send(rewindEvent("a8", AccessEvent.Type.REWIND_STARTED, K, null, at(17)));
        t.send(rewindEvent("a9", AccessEvent.Type.REWIND_STOPPED, K, ACTIONS_STOPPED, at(18)));
        t.send(rewindEvent("a10", AccessEvent.Type.REWIND_RESUMED, K, null, at(19)));
        t.send(new AccessEvent("a11", AccessEvent.Type.FILE_DELETED, null, B, K, "m3", null, "key:k7", null, at(20),
                null, new AccessEvent.Rewind("rw_1", K, at(1), null, null)));
        t.send(rewindEvent("a12", AccessEvent.Type.REWIND_FINISHED, K, ACTIONS_FINISHED, at(21)));
    }

    private static final Map<String, Long> PLANNED = Map.of("restore", 0L, "delete", 1L, "keep", 0L);
    private static final Map<String, Long> ACTIONS_STOPPED = Map.of("pending", 1L, "started", 0L, "done", 0L,
            "failed", 0L, "skipped", 0L);
    private static final Map<String, Long> ACTIONS_FINISHED = Map.of("pending", 0L, "started", 0L, "done", 1L,
            "failed", 0L, "skipped", 0L);

    private static AccessEvent rewindEvent(String id, AccessEvent.Type type, String prefix, Map<String, Long> actions,
                                           java.time.Instant time) {
        return new AccessEvent(id, type, null, B, prefix, null, null, "key:k7", null, time, null,
                new AccessEvent.Rewind("rw_1", prefix, at(1), PLANNED, actions));
    }

    @Test
    void everyFactBecomesOneCloudEventWithSubjectTimeAndSource() throws Exception {
        try (TopologyFixture t = new TopologyFixture()) {
            everyFact(t);
            List<TestRecord<String, CloudEvent>> records = t.auditTopic().readRecordsToList();
            List<CloudEvent> events = records.stream().map(TestRecord::value).toList();
            assertThat(events).extracting(CloudEvent::type).containsAll(AuditTypes.ALL);
            assertThat(events).extracting(CloudEvent::type).containsExactly(
                    AuditTypes.VERSION_CREATED, AuditTypes.DELETE_MARKER_CREATED, AuditTypes.VERSION_DELETED,
                    AuditTypes.FILE_UNDELETED, AuditTypes.STORAGE_CLASS_CHANGED, AuditTypes.VERSION_RESTORED,
                    AuditTypes.TAGS_CHANGED, AuditTypes.DERIVATIVES_ATTACHED, AuditTypes.SHARE_CREATED,
                    AuditTypes.SHARE_REJECTED, AuditTypes.SHARE_OPENED, AuditTypes.SHARE_REVOKED,
                    AuditTypes.URL_ISSUED, AuditTypes.VERSION_CREATED, AuditTypes.VERSION_DELETED,
                    AuditTypes.FILE_RESTORED, AuditTypes.FILE_UNDELETED, AuditTypes.REWIND_STARTED,
                    AuditTypes.REWIND_STOPPED, AuditTypes.REWIND_RESUMED, AuditTypes.FILE_DELETED,
                    AuditTypes.REWIND_FINISHED);
            CloudEvent restored = events.get(15);
            assertThat(restored.data().get("restoredFrom").asText()).isEqualTo("v1");
            assertThat(restored.data().get("versionId").asText()).isEqualTo("v3");
            assertThat(restored.data().get("actor").asText()).isEqualTo("key:k7");
            CloudEvent undeleted = events.get(16);
            assertThat(undeleted.data().get("origin").asText()).isEqualTo("api");
            assertThat(undeleted.data().get("versionId").asText()).isEqualTo("m2");
            assertThat(undeleted.data().get("actor").asText()).isEqualTo("key:k7");
            CloudEvent started = events.get(17);
            assertThat(started.data().get("rewindId").asText()).isEqualTo("rw_1");
            assertThat(started.data().get("prefix").asText()).isEqualTo(K);
            assertThat(started.data().get("to").asText()).isEqualTo(at(1).toString());
            assertThat(started.data().get("planned").get("delete").asLong()).isEqualTo(1);
            assertThat(started.data().get("actor").asText()).isEqualTo("key:k7");
            assertThat(started.data().has("actions")).isFalse();
            assertThat(events.get(18).data().get("actions").get("pending").asLong()).isEqualTo(1);
            CloudEvent deleted = events.get(20);
            assertThat(deleted.data().get("versionId").asText()).isEqualTo("m3");
            assertThat(deleted.data().get("deleteMarker").asBoolean()).isTrue();
            assertThat(deleted.data().get("rewindId").asText()).isEqualTo("rw_1");
            assertThat(deleted.data().get("origin").asText()).isEqualTo("api");
            assertThat(events.get(21).data().get("actions").get("done").asLong()).isEqualTo(1);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.specversion()).isEqualTo("1.0");
                assertThat(e.source()).isEqualTo(TopologyFixture.SOURCE);
                assertThat(e.subject()).isEqualTo(B + "/" + K);
                assertThat(e.datacontenttype()).isEqualTo("application/json");
                assertThat(e.id()).hasSize(64);
                assertThat(e.data().get("bucket").asText()).isEqualTo(B);
            });
            assertThat(events).extracting(CloudEvent::id).doesNotHaveDuplicates();
            assertThat(events.get(0).time()).isEqualTo(at(1));
            assertThat(events.get(8).time()).isEqualTo(at(8));
            assertThat(records).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo(B + "/" + K);
                assertThat(new String(r.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                        .isEqualTo("application/cloudevents+json");
            });
            // Nothing secret leaves: token and password hashes stay out of the audit stream.
            assertThat(events).allSatisfy(e -> assertThat(e.data().toString()).doesNotContain("sha-L1"));
            writeExamples(events);
        }
    }

    @Test
    void aWholeBucketRewindIsKeyedByItsEmptyPrefixWhileAnActionWithoutKeyIsDeadLettered() {
        try (TopologyFixture t = new TopologyFixture()) {
            t.send(rewindEvent("w1", AccessEvent.Type.REWIND_STARTED, "", null, at(1)));
            t.send(rewindEvent("w2", AccessEvent.Type.REWIND_FINISHED, "", ACTIONS_FINISHED, at(2)));
            t.send(new AccessEvent("w3", AccessEvent.Type.FILE_DELETED, null, B, "", "m1", null, "key:k7", null,
                    at(3), null, new AccessEvent.Rewind("rw_1", "", at(1), null, null)));
            List<CloudEvent> events = t.audit();
            assertThat(events).extracting(CloudEvent::type)
                    .containsExactly(AuditTypes.REWIND_STARTED, AuditTypes.REWIND_FINISHED);
            assertThat(events).allSatisfy(e -> {
                assertThat(e.subject()).isEqualTo(B + "/");
                assertThat(e.data().get("key").asText()).isEmpty();
                assertThat(e.data().get("prefix").asText()).isEmpty();
            });
            assertThat(t.deadLetters()).singleElement().satisfies(r -> assertThat(new String(r.headers()
                    .lastHeader(dev.filetrail.streams.deadletters.DeadLetterRecorder.HEADER_MESSAGE).value(),
                    StandardCharsets.UTF_8)).contains("key"));
        }
    }

    @Test
    void aReplayOfTheSameInputGivesTheSameIds() {
        List<String> first;
        try (TopologyFixture t = new TopologyFixture()) {
            everyFact(t);
            first = t.audit().stream().map(CloudEvent::id).toList();
        }
        try (TopologyFixture t = new TopologyFixture()) {
            everyFact(t);
            assertThat(t.audit().stream().map(CloudEvent::id).toList()).isEqualTo(first);
        }
    }

    /** One example of each type, for the README (target/audit-examples.json). */
    private static void writeExamples(List<CloudEvent> events) throws Exception {
        Map<String, CloudEvent> byType = new LinkedHashMap<>();
        events.forEach(e -> byType.putIfAbsent(e.type(), e));
        StringBuilder out = new StringBuilder();
        byType.values().forEach(e -> {
            try {
                out.append(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(e)).append("\n\n");
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "audit-examples.json"), out.toString());
    }
}
