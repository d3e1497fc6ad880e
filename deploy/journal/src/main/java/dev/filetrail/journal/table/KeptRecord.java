package dev.filetrail.journal.table;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.iceberg.data.Record;

/**
 * A Kafka record kept whole in a table ({@code record_key}, {@code record_value}) with where it sat: what a restore
 * writes back for the topics whose rows are not rebuilt into their record from typed columns.
 */
public record KeptRecord(String key, byte[] value, JournalTable.Position position) {
    /** A record's key and value as a row keeps them: the value as text, which is the same bytes. */
    public record Source(String key, String value) {
        /**
         * The record's key and its value as text. A value that is not UTF-8 would not come back as the same bytes,
         * so it is refused (it could not have decoded as JSON either).
         */
        public static Source of(String key, byte[] value) {
            String text = new String(value, StandardCharsets.UTF_8);
            if (!java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), value)) {
                throw new IllegalArgumentException("the value is not UTF-8 text");
            }
            return new Source(key, text);
        }
    }

    static void put(Map<String, Object> row, Source source) {
        row.put("record_key", source.key());
        row.put("record_value", source.value());
    }

    /** The record a row of {@code processing_results} or {@code share_commands} holds. */
    public static KeptRecord fromRecord(Record row) {
        String value = (String) row.getField("record_value");
        JournalTable.Position position = new JournalTable.Position((Integer) row.getField("kafka_partition"),
                (Long) row.getField("kafka_offset"), JournalTable.instant(row.getField("kafka_timestamp")));
        return new KeptRecord((String) row.getField("record_key"),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), position);
    }
}
