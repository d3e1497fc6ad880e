package dev.filetrail.journal.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.journal.JournalSamples;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
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
}
