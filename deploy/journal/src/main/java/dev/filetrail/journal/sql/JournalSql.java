package dev.filetrail.journal.sql;

import dev.filetrail.journal.JournalConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.view.SQLViewRepresentation;
import org.apache.iceberg.view.View;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers SQL over the journal's tables on this machine: Iceberg's Java API plans each table's current snapshot,
 * its Parquet data files are copied out of the warehouse, and an in-memory DuckDB gets one table per Iceberg table
 * (same name and typed columns) filled from exactly those files. DuckDB's own Iceberg extension is not used: it is
 * downloaded at run time, which this setup cannot rely on.
 */
public final class JournalSql {
    private static final Logger log = LoggerFactory.getLogger(JournalSql.class);
    private static final String DUCKDB = "duckdb";
    private final JournalConfig config;

    public JournalSql(JournalConfig config) {
        this.config = config;
    }

    /** A query's answer: column names and rows of values as DuckDB returns them. */
    public record Result(List<String> columns, List<List<Object>> rows) {
        /** The answer as an aligned text table. */
        public String format() {
            List<List<String>> cells = new ArrayList<>();
            cells.add(columns);
            rows.forEach(r -> cells.add(r.stream().map(v -> v == null ? "NULL" : v.toString()).toList()));
            int[] widths = new int[columns.size()];
            cells.forEach(r -> {
                for (int i = 0; i < r.size(); i++) {
                    widths[i] = Math.max(widths[i], r.get(i).length());
                }
            });
            StringBuilder b = new StringBuilder();
            for (int line = 0; line < cells.size(); line++) {
                List<String> r = cells.get(line);
                for (int i = 0; i < r.size(); i++) {
                    b.append(i == 0 ? "" : " | ").append(String.format("%-" + widths[i] + "s", r.get(i)));
                }
                b.append('\n');
                if (line == 0) {
                    for (int i = 0; i < widths.length; i++) {
                        b.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
                    }
                    b.append('\n');
                }
            }
            b.append(rows.size()).append(rows.size() == 1 ? " row" : " rows").append('\n');
            return b.toString();
        }
    }

    /** Runs {@code sql} over every table of the journal's namespace. */
    public Result query(String sql) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("filetrail-sql-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory", e);
        }
        Catalog catalog = config.catalog();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
            for (TableIdentifier id : catalog.listTables(config.icebergNamespace())) {
                load(duck, catalog.loadTable(id), scratch);
            }
            if (catalog instanceof ViewCatalog views) {
                for (TableIdentifier id : views.listViews(config.icebergNamespace())) {
                    createView(duck, views.loadView(id));
                }
            }
            try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                ResultSetMetaData meta = rs.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(meta.getColumnLabel(i));
                }
                List<List<Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= columns.size(); i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
                return new Result(columns, rows);
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("query failed: " + e.getMessage(), e);
        } finally {
            JournalConfig.close(catalog);
            deleteTree(scratch);
        }
    }

    private static void load(Connection duck, Table table, Path scratch) throws SQLException {
        String name = table.name().substring(table.name().lastIndexOf('.') + 1);
        List<String> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    // an append-only table has none; reading data files alone would show deleted rows
                    throw new IllegalStateException("table " + table.name() + " has delete files, which filetrail sql "
                            + "does not apply");
                }
                Path local = scratch.resolve(name + "-" + files.size() + ".parquet");
                try (InputStream in = table.io().newInputFile(task.file().location()).newStream()) {
                    Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
                }
                files.add(local.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data files of " + table.name(), e);
        }
        List<Types.NestedField> fields = table.schema().columns();
        String columns = fields.stream().map(f -> quote(f.name()) + " " + duckType(f.type())).collect(Collectors.joining(", "));
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE TABLE " + quote(name) + " (" + columns + ")");
            if (!files.isEmpty()) {
                String list = files.stream().map(f -> "'" + f.replace("'", "''") + "'").collect(Collectors.joining(", "));
                String names = fields.stream().map(f -> quote(f.name())).collect(Collectors.joining(", "));
                st.execute("INSERT INTO " + quote(name) + " SELECT " + names + " FROM read_parquet([" + list
                        + "], union_by_name = true)");
            }
        }
        log.info("sql table loaded table={} files={}", name, files.size());
    }

    /** An Iceberg view as a DuckDB view, from its DuckDB representation (the tables it reads are loaded by then). */
    private static void createView(Connection duck, View view) throws SQLException {
        String name = view.name().substring(view.name().lastIndexOf('.') + 1);
        SQLViewRepresentation sql = view.sqlFor(DUCKDB);
        if (sql == null || !DUCKDB.equalsIgnoreCase(sql.dialect())) {
            log.warn("view has no duckdb representation; not queryable here view={}", view.name());
            return;
        }
        try (Statement st = duck.createStatement()) {
            st.execute("CREATE VIEW " + quote(name) + " AS " + sql.sql());
        }
        log.info("sql view created view={}", name);
    }

    /** DuckDB's type for an Iceberg type. */
    static String duckType(Type type) {
        return switch (type.typeId()) {
            case BOOLEAN -> "BOOLEAN";
            case INTEGER -> "INTEGER";
            case LONG -> "BIGINT";
            case FLOAT -> "REAL";
            case DOUBLE -> "DOUBLE";
            case DATE -> "DATE";
            case TIME -> "TIME";
            case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
            case STRING -> "VARCHAR";
            case UUID -> "UUID";
            case BINARY, FIXED -> "BLOB";
            case DECIMAL -> "DECIMAL(" + ((Types.DecimalType) type).precision() + ", "
                    + ((Types.DecimalType) type).scale() + ")";
            case STRUCT -> "STRUCT(" + type.asStructType().fields().stream()
                    .map(f -> quote(f.name()) + " " + duckType(f.type())).collect(Collectors.joining(", ")) + ")";
            case LIST -> duckType(type.asListType().elementType()) + "[]";
            case MAP -> "MAP(" + duckType(type.asMapType().keyType()) + ", " + duckType(type.asMapType().valueType()) + ")";
            default -> throw new IllegalArgumentException("no DuckDB type for Iceberg " + type);
        };
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is removed by the OS
        }
    }
}
