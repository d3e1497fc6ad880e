package dev.filetrail.journal.read;

import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.table.JournalTable;
import dev.filetrail.journal.table.JournalTables;
import dev.filetrail.journal.table.KeptRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.DateTimeUtil;

/** Reads the journal with Iceberg's own Java readers: rows back into events, in their original Kafka order. */
public final class JournalReader {
    private final JournalConfig config;

    public JournalReader(JournalConfig config) {
        this.config = config;
    }

    /** How many rows the journal's current snapshot holds (0 before the first commit). */
    public long rowCount() {
        return rowCount(JournalTable.NAME);
    }

    /** How many rows table {@code name}'s current snapshot holds (0 before the first commit). */
    public long rowCount(String name) {
        Catalog catalog = config.catalog();
        try {
            Table table = catalog.loadTable(new JournalTables(config).table(name));
            Snapshot snapshot = table.currentSnapshot();
            return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
        } finally {
            JournalConfig.close(catalog);
        }
    }

    /**
     * The rows whose event time lies in [{@code from}, {@code to}] (either may be null: open), ordered by Kafka
     * partition and offset, so that a replay writes each partition's records in their original order.
     */
    public List<JournalTable.Row> read(Instant from, Instant to) {
        Expression filter = Expressions.alwaysTrue();
        if (from != null) {
            filter = Expressions.and(filter, Expressions.greaterThanOrEqual("event_time", DateTimeUtil.microsFromInstant(from)));
        }
        if (to != null) {
            filter = Expressions.and(filter, Expressions.lessThanOrEqual("event_time", DateTimeUtil.microsFromInstant(to)));
        }
        Catalog catalog = config.catalog();
        List<JournalTable.Row> rows = new ArrayList<>();
        try {
            Table table = catalog.loadTable(new JournalTables(config).journal());
            try (CloseableIterable<Record> records = IcebergGenerics.read(table).where(filter).build()) {
                for (Record record : records) {
                    JournalTable.Row row = JournalTable.fromRecord(record);
                    // the scan filters by file statistics; rows inside a file still need the exact check
                    Instant t = row.event().eventTime();
                    if ((from == null || (t != null && !t.isBefore(from))) && (to == null || (t != null && !t.isAfter(to)))) {
                        rows.add(row);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the journal", e);
            }
        } finally {
            JournalConfig.close(catalog);
        }
        rows.sort(Comparator.comparingInt((JournalTable.Row r) -> r.position().partition())
                .thenComparingLong(r -> r.position().offset()));
        return rows;
    }

    /**
     * The records kept whole in table {@code name} ({@code processing_results}, {@code share_commands}) whose Kafka
     * timestamp lies in [{@code from}, {@code to}] (either may be null: open), in Kafka partition and offset order.
     */
    public List<KeptRecord> readKept(String name, Instant from, Instant to) {
        Expression filter = Expressions.alwaysTrue();
        if (from != null) {
            filter = Expressions.and(filter, Expressions.greaterThanOrEqual("kafka_timestamp", DateTimeUtil.microsFromInstant(from)));
        }
        if (to != null) {
            filter = Expressions.and(filter, Expressions.lessThanOrEqual("kafka_timestamp", DateTimeUtil.microsFromInstant(to)));
        }
        Catalog catalog = config.catalog();
        List<KeptRecord> rows = new ArrayList<>();
        try {
            Table table = catalog.loadTable(new JournalTables(config).table(name));
            if (table.schema().findField("record_value") == null) {
                throw new IllegalArgumentException("table " + name + " does not keep its records whole");
            }
            try (CloseableIterable<Record> records = IcebergGenerics.read(table).where(filter).build()) {
                for (Record record : records) {
                    KeptRecord row = KeptRecord.fromRecord(record);
                    Instant t = row.position().timestamp();
                    if ((from == null || (t != null && !t.isBefore(from))) && (to == null || (t != null && !t.isAfter(to)))) {
                        rows.add(row);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name, e);
            }
        } finally {
            JournalConfig.close(catalog);
        }
        rows.sort(Comparator.comparingInt((KeptRecord r) -> r.position().partition())
                .thenComparingLong(r -> r.position().offset()));
        return rows;
    }
}
