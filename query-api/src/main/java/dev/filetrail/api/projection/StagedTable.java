package dev.filetrail.api.projection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * One write of a batch to one read-model table: the rows go by {@code COPY} into a staging table of the session
 * (temporary, emptied at commit), and one set-based statement merges them into the table. Columns are declared once,
 * with the value each takes from a row, so the staging table, the {@code COPY} and the merge follow from the list: a
 * new column is one more line. The rows given to one write must not repeat a key (the writer collapses them first).
 */
final class StagedTable<R> {
    /** Writes one column's value of a row. */
    @FunctionalInterface
    interface Value<R> {
        void write(R row, CopyText out) throws SQLException;
    }

    /** How the staged rows reach the table. */
    enum Merge {
        /** Insert, or replace every column of the row with the same key. */
        UPSERT,
        /** Insert rows whose key is new; keep the first. */
        INSERT_NEW,
        /** Update only the staged columns of existing rows with the same key; others are left alone. */
        UPDATE,
        /** Delete the rows with the staged keys (only the key columns are declared). */
        DELETE
    }

    private final String table;
    private final List<String> key;
    private final Merge merge;
    private final Map<String, Value<R>> columns;
    private final Map<String, String> computed;
    private final String staging;

    private StagedTable(String table, String name, List<String> key, Merge merge, Map<String, Value<R>> columns,
                        Map<String, String> computed) {
        this.table = table;
        this.key = List.copyOf(key);
        this.merge = merge;
        this.columns = columns;
        this.computed = computed;
        // The column list is in the name, so a session that made the staging table for another list makes a new one.
        this.staging = "projection_stage_" + name + "_"
                + Integer.toHexString((table + columns.keySet() + computed.keySet()).hashCode());
    }

    static <R> Builder<R> of(String table, String name, Merge merge, String... key) {
        return new Builder<>(table, name, merge, List.of(key));
    }

    /** Declares the columns in order. */
    static final class Builder<R> {
        private final String table;
        private final String name;
        private final Merge merge;
        private final List<String> key;
        private final Map<String, Value<R>> columns = new LinkedHashMap<>();
        private final Map<String, String> computed = new LinkedHashMap<>();

        private Builder(String table, String name, Merge merge, List<String> key) {
            this.table = table;
            this.name = name;
            this.merge = merge;
            this.key = key;
        }

        Builder<R> column(String column, Value<R> value) {
            columns.put(column, value);
            return this;
        }

        /** A column the merge sets to an SQL expression ({@code now()}) rather than a staged value. */
        Builder<R> computed(String column, String expression) {
            computed.put(column, expression);
            return this;
        }

        StagedTable<R> build() {
            if (!columns.keySet().containsAll(key)) {
                throw new IllegalArgumentException(table + ": the key columns must be declared");
            }
            return new StagedTable<>(table, name, key, merge, columns, computed);
        }
    }

    /**
     * The statement that makes this table's staging table in a session that has none: the declared columns with the
     * table's own types and collations, no constraints, emptied when a transaction that touched it commits (a
     * rolled-back transaction's staged rows go with it).
     */
    String createStaging() {
        return "CREATE TEMPORARY TABLE IF NOT EXISTS " + staging + " ON COMMIT DELETE ROWS AS SELECT "
                + String.join(", ", columns.keySet()) + " FROM " + table + " WITH NO DATA";
    }

    /** Stages {@code rows} and merges them, inside the caller's transaction; nothing when there are none. */
    void write(Connection connection, Collection<R> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        CopyText text = new CopyText();
        List<Value<R>> values = new ArrayList<>(columns.values());
        for (R row : rows) {
            for (Value<R> value : values) {
                value.write(row, text);
            }
            text.endRow();
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        try {
            pg.getCopyAPI().copyIn("COPY " + staging + " (" + String.join(", ", columns.keySet()) + ") FROM STDIN",
                    text.stream());
        } catch (java.io.IOException e) {
            throw new SQLException("cannot stage rows for " + table + ": " + e.getMessage(), "08006", e);
        }
        try (Statement s = connection.createStatement()) {
            s.executeUpdate(mergeSql());
        }
    }

    String mergeSql() {
        String staged = String.join(", ", columns.keySet());
        String matches = String.join(" AND ", key.stream().map(k -> "t." + k + " = s." + k).toList());
        List<String> updated = new ArrayList<>();
        for (String column : columns.keySet()) {
            if (!key.contains(column)) {
                updated.add(column + " = " + (merge == Merge.UPDATE ? "s." : "EXCLUDED.") + column);
            }
        }
        computed.forEach((column, expression) -> updated.add(column + " = " + expression));
        return switch (merge) {
            case UPSERT, INSERT_NEW -> {
                String into = computed.isEmpty() ? staged : staged + ", " + String.join(", ", computed.keySet());
                String select = computed.isEmpty() ? staged : staged + ", " + String.join(", ", computed.values());
                yield "INSERT INTO " + table + " (" + into + ") SELECT " + select + " FROM " + staging
                        + " ON CONFLICT (" + String.join(", ", key) + ") "
                        + (merge == Merge.INSERT_NEW ? "DO NOTHING" : "DO UPDATE SET " + String.join(", ", updated));
            }
            case UPDATE -> "UPDATE " + table + " t SET " + String.join(", ", updated) + " FROM " + staging + " s WHERE "
                    + matches;
            case DELETE -> "DELETE FROM " + table + " t USING " + staging + " s WHERE " + matches;
        };
    }
}
