package dev.filetrail.api.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The triggers on {@code file_versions} that a rebuild turns off for its load and makes good after it, each in one
 * set-based statement, as it builds the secondary indexes after the load: with them on, a load costs PostgreSQL
 * 1.17–1.43 times the CPU per row (BENCHMARKS.md, "Triggers and the rebuild's load"). A trigger not named here stays
 * on during the load: nothing is skipped that the rebuild does not know how to redo.
 */
final class DeferredTriggers {
    private static final Logger log = LoggerFactory.getLogger(DeferredTriggers.class);

    /** Per trigger, the statement that does after the load what it would have done row by row (none: nothing). */
    private static final Map<String, String> CATCH_UP = new LinkedHashMap<>();

    static {
        CATCH_UP.put("file_keys_add", "INSERT INTO %s.file_keys (bucket, key) SELECT bucket, key"
                + " FROM %<s.file_versions GROUP BY bucket, key ON CONFLICT DO NOTHING");
        // The as-of marks: a fresh schema has no snapshots, so there is nothing to mark (checked when they go back on).
        CATCH_UP.put("as_of_mark_added", null);
        CATCH_UP.put("as_of_mark_updated", null);
    }

    private final String schema;
    private final List<String> deferred;

    private DeferredTriggers(String schema, List<String> deferred) {
        this.schema = schema;
        this.deferred = deferred;
    }

    /** Turns off the known triggers of {@code schema}'s {@code file_versions}; the load then runs without them. */
    static DeferredTriggers defer(DataSource dataSource, String schema) throws SQLException {
        List<String> deferred = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (String name : triggers(c, schema)) {
                if (CATCH_UP.containsKey(name)) {
                    try (Statement ddl = c.createStatement()) {
                        ddl.execute("ALTER TABLE " + schema + ".file_versions DISABLE TRIGGER " + name);
                    }
                    deferred.add(name);
                }
            }
        }
        log.info("rebuild defers triggers schema={} triggers={}", schema, deferred);
        return new DeferredTriggers(schema, deferred);
    }

    /**
     * Turns the deferred triggers back on and does their work for every row loaded, in one transaction that holds
     * {@code file_versions} against writers (the first ALTER TABLE locks it), so no row is written between the two.
     */
    void restore(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String name : deferred) {
                    s.execute("ALTER TABLE " + schema + ".file_versions ENABLE TRIGGER " + name);
                }
                if (deferred.contains("as_of_mark_added")) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".as_of_snapshots")) {
                        rs.next();
                        if (rs.getLong(1) != 0) {
                            throw new IllegalStateException("as-of snapshots were taken in " + schema
                                    + " during its rebuild; their marks were not kept");
                        }
                    }
                }
                for (String name : deferred) {
                    String sql = CATCH_UP.get(name);
                    if (sql != null) {
                        int rows = s.executeUpdate(String.format(sql, schema));
                        log.info("rebuild caught up trigger schema={} trigger={} rows={}", schema, name, rows);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The user triggers on {@code schema}'s {@code file_versions}, by name. */
    static List<String> triggers(Connection c, String schema) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT t.tgname FROM pg_trigger t"
                + " JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE n.nspname = ? AND r.relname = 'file_versions' AND NOT t.tgisinternal ORDER BY t.tgname")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }
}
