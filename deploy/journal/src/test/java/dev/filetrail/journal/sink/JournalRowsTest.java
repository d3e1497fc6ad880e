package dev.filetrail.journal.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.journal.JournalSamples;
import dev.filetrail.journal.TableSamples;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class JournalRowsTest {
    private final JournalRows rows = new JournalRows();

    @Test
    void turnsAnEventRecordIntoItsRowWithTheRecordsPosition() {
        ObjectEvent event = JournalSamples.events("rows", 2, 7).get(1);
        SinkRecord in = new SinkRecord("filetrail.object-events.v1", 2, null, event.recordKey(), null,
                ObjectEventWriter.write(event), 41L, 1_700_000_000_123L, TimestampType.CREATE_TIME);

        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) rows.apply(in).value();

        assertThat(row).containsEntry("event_id", event.eventId()).containsEntry("size", event.size())
                .containsEntry("kafka_partition", 2).containsEntry("kafka_offset", 41L)
                .containsEntry("ingested_at_nanos", event.ingestedAt().getNano());
        assertThat(((OffsetDateTime) row.get("event_time")).toInstant()).isEqualTo(event.eventTime());
        assertThat(((OffsetDateTime) row.get("kafka_timestamp")).toInstant().toEpochMilli()).isEqualTo(1_700_000_000_123L);
        assertThat(row.get("origin")).isInstanceOf(Map.class);
    }

    @Test
    void refusesWhatIsNotAnObjectEventSayingWhereItWas() {
        SinkRecord in = new SinkRecord("filetrail.object-events.v1", 1, null, "k", null,
                "{not json".getBytes(StandardCharsets.UTF_8), 9L);
        assertThatThrownBy(() -> rows.apply(in)).isInstanceOf(DataException.class)
                .hasMessageContaining("not an ObjectEvent at filetrail.object-events.v1/1@9");
    }

    @Test
    void passesOverTombstones() {
        assertThat(rows.apply(new SinkRecord("t", 0, null, "k", null, null, 1L))).isNull();
    }

    @Test
    void namesEachRowsTableByItsTopic() {
        ObjectEvent event = JournalSamples.events("route", 1, 3).get(0);
        assertThat(route(new SinkRecord(Topics.OBJECT_EVENTS.name(), 0, null, "k", null, ObjectEventWriter.write(event), 1L)))
                .isEqualTo("journal");
        CloudEvent audit = TableSamples.audit("route", 1).get(0);
        assertThat(route(new SinkRecord(Topics.AUDIT.name(), 0, null, "k", null, Topics.AUDIT.values().encode(audit), 1L)))
                .isEqualTo("audit");
        FileHead head = TableSamples.live("b", "k/x", "v1", 1, 5);
        assertThat(route(new SinkRecord(Topics.FILES.name(), 0, null, "b/k/x", null, Topics.FILES.values().encode(head), 1L)))
                .isEqualTo("inventory_changes");
        assertThatThrownBy(() -> rows.apply(new SinkRecord("filetrail.other.v1", 0, null, "k", null, new byte[] {1}, 3L)))
                .isInstanceOf(DataException.class).hasMessageContaining("no journal table for topic filetrail.other.v1");
    }

    @Test
    void aFilesTombstoneIsAGoneRowOfItsBucketAndKey() {
        SinkRecord tombstone = new SinkRecord(Topics.FILES.name(), 2, null, "photos/a/b c.jpg", null, null, 17L);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) rows.apply(tombstone).value();
        assertThat(row).containsEntry("bucket", "photos").containsEntry("key", "a/b c.jpg").containsEntry("gone", true)
                .containsEntry("kafka_offset", 17L).containsEntry(JournalRows.ROUTE_FIELD, "inventory_changes");
        assertThatThrownBy(() -> rows.apply(new SinkRecord(Topics.FILES.name(), 0, null, "nokey", null, null, 4L)))
                .isInstanceOf(DataException.class).hasMessageContaining("bucket/key").hasMessageContaining("@4");
    }

    @Test
    void aDeletedHeadHasNoCurrentVersion() {
        FileHead head = TableSamples.deleted("b", "k", 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) rows.apply(new SinkRecord(Topics.FILES.name(), 0, null, "b/k",
                null, Topics.FILES.values().encode(head), 1L)).value();
        assertThat(row).containsEntry("deleted", true).containsEntry("gone", false).containsEntry("version_count", 2L);
        assertThat(row.get("current_version_id")).isNull();
    }

    @Test
    void readsOtherTopicNamesWhenConfigured() {
        JournalRows drill = new JournalRows();
        drill.configure(Map.of(JournalRows.JOURNAL_TOPIC, "filetrail.journal-drill.events"));
        ObjectEvent event = JournalSamples.events("cfg", 1, 3).get(0);
        SinkRecord in = new SinkRecord("filetrail.journal-drill.events", 0, null, "k", null, ObjectEventWriter.write(event), 1L);
        assertThat(route(drill, in)).isEqualTo("journal");
    }

    private String route(SinkRecord in) {
        return route(rows, in);
    }

    @SuppressWarnings("unchecked")
    private static String route(JournalRows transformation, SinkRecord in) {
        return (String) ((Map<String, Object>) transformation.apply(in).value()).get(JournalRows.ROUTE_FIELD);
    }

    @Test
    void aProcessingResultIsATypedRowKeepingItsRecord() {
        ProcessingResult result = TableSamples.results("rows", 2).get(1);
        byte[] value = Topics.PROCESSING_RESULTS.values().encode(result);
        SinkRecord in = new SinkRecord(Topics.PROCESSING_RESULTS.name(), 1, null, result.recordKey(), null, value, 8L,
                1_700_000_000_500L, TimestampType.CREATE_TIME);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) rows.apply(in).value();
        assertThat(row).containsEntry(JournalRows.ROUTE_FIELD, "processing_results")
                .containsEntry("result_id", result.resultId()).containsEntry("processor", "metadata")
                .containsEntry("status", "SUCCEEDED").containsEntry("width", 4000).containsEntry("tags", result.tags())
                .containsEntry("record_key", result.recordKey())
                .containsEntry("record_value", new String(value, StandardCharsets.UTF_8))
                .containsEntry("kafka_partition", 1).containsEntry("kafka_offset", 8L);
        @SuppressWarnings("unchecked")
        Map<String, Object> exif = (Map<String, Object>) row.get("exif");
        assertThat(exif).containsEntry("camera_make", "Canon").containsEntry("gps_latitude", result.exif().gpsLatitude());
        ProcessingResult thumbs = TableSamples.results("rows", 1).get(0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) ((Map<String, Object>) rows.apply(new SinkRecord(
                Topics.PROCESSING_RESULTS.name(), 0, null, thumbs.recordKey(), null,
                Topics.PROCESSING_RESULTS.values().encode(thumbs), 1L)).value()).get("thumbnails");
        assertThat(list).extracting(t -> t.get("key")).containsExactly(thumbs.thumbnails().get(0).key(),
                thumbs.thumbnails().get(1).key());
    }

    @Test
    void aShareCommandIsATypedRowWithoutItsHashesInColumns() {
        ShareCommand command = TableSamples.shares("rows", 1).get(0);
        byte[] value = Topics.SHARE_COMMANDS.values().encode(command);
        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) rows.apply(new SinkRecord(Topics.SHARE_COMMANDS.name(), 0, null,
                command.recordKey(), null, value, 3L)).value();
        assertThat(row).containsEntry(JournalRows.ROUTE_FIELD, "share_commands").containsEntry("type", "CREATE")
                .containsEntry("link_id", command.linkId()).containsEntry("has_password", true)
                .containsEntry("record_value", new String(value, StandardCharsets.UTF_8))
                .doesNotContainKeys("token_sha256", "password_hash");
        assertThat(((OffsetDateTime) row.get("issued_at")).toInstant())
                .isEqualTo(command.issuedAt().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    @Test
    void refusesAResultOrCommandThatDoesNotDecodeOrIsNotUtf8() {
        assertThatThrownBy(() -> rows.apply(new SinkRecord(Topics.PROCESSING_RESULTS.name(), 0, null, "b/k", null,
                "{\"status\": \"MAYBE\"}".getBytes(StandardCharsets.UTF_8), 5L)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("not a ProcessingResult at filetrail.processing-results.v1/0@5");
        byte[] latin1 = "{\"commandId\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> rows.apply(new SinkRecord(Topics.SHARE_COMMANDS.name(), 0, null, "b/k", null,
                latin1, 6L))).isInstanceOf(DataException.class).hasMessageContaining("@6");
    }

    @Test
    void theConnectorNamesThisTransformation() {
        assertThat(SinkConnector.TRANSFORMATION).isEqualTo(JournalRows.class.getName());
    }
}
