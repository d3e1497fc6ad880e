package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.MigratedDatabase;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A rebuild's load runs without file_versions' triggers, and their work is done once after it. */
@ExtendWith(RealParts.class)
class DeferredTriggersTest {

    @Test
    void theLoadSkipsTheTriggersAndTheirWorkIsDoneAfterIt(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "deferred_triggers")) {
            List<String> all = List.of("as_of_mark_added", "as_of_mark_updated", "file_keys_add");
            assertThat(enabled(db)).as("every trigger of file_versions is known to the rebuild").isEqualTo(all);

            DeferredTriggers deferred = DeferredTriggers.defer(db.dataSource(), "filetrail");
            assertThat(enabled(db)).isEmpty();
            insertVersions(db, "b", "a.txt", "a.txt", "b/c.txt");
            assertThat(keys(db)).as("the load itself fills no file_keys").isEmpty();

            deferred.restore(db.dataSource());
            assertThat(enabled(db)).isEqualTo(all);
            assertThat(keys(db)).containsExactly("a.txt", "b/c.txt");
            insertVersions(db, "b", "d.txt");
            assertThat(keys(db)).as("the trigger is on again").containsExactly("a.txt", "b/c.txt", "d.txt");
        }
    }

    @Test
    void aSnapshotTakenDuringTheLoadFailsTheRestoreAndKeepsTheTriggersOff(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "deferred_snapshot")) {
            DeferredTriggers deferred = DeferredTriggers.defer(db.dataSource(), "filetrail");
            insertVersions(db, "b", "a.txt");
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO as_of_snapshots (bucket, taken_at) VALUES ('b', now())");
            }
            assertThatThrownBy(() -> deferred.restore(db.dataSource())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("as-of snapshots were taken in filetrail");
            assertThat(enabled(db)).as("rolled back as one").isEmpty();
            assertThat(keys(db)).isEmpty();
        }
    }

    private static void insertVersions(ReadModelDatabase db, String bucket, String... keys) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             var s = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id, ordering, delete_marker,"
                     + " created_at) VALUES (?, ?, ?, '0001', false, now())")) {
            int i = 0;
            for (String key : keys) {
                s.setString(1, bucket);
                s.setString(2, key);
                s.setString(3, "v" + i++);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private static List<String> enabled(ReadModelDatabase db) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT t.tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
                     + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = 'filetrail'"
                     + " AND r.relname = 'file_versions' AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
                     + " ORDER BY t.tgname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<String> keys(ReadModelDatabase db) throws Exception {
        List<String> keys = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT key FROM file_keys ORDER BY key")) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }
}
