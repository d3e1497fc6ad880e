package dev.filetrail.api.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.MigratedDatabase;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.shards.ShardFanOut;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The change feed's retention forgets only superseded changes older than its horizon, a batch at a time. */
@ExtendWith(RealParts.class)
class ChangeLogPruneTest {
    private static final Instant OLD = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant HORIZON = Instant.parse("2021-01-01T00:00:00Z");
    private static final Instant RECENT = Instant.parse("2022-01-01T00:00:00Z");

    @Test
    void onlyOldChangesWithALaterChangeOfTheSameFileAreDeleted(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "change_prune")) {
            // a.txt: three old changes; the newest of them must stay, it is the file's state in a full sync.
            insert(db, 0, 1, "a.txt", OLD);
            insert(db, 0, 2, "a.txt", OLD);
            insert(db, 0, 3, "a.txt", OLD);
            // b.txt: one old change and nothing after it.
            insert(db, 0, 4, "b.txt", OLD);
            // c.txt: an old change superseded by a recent one, and a recent one superseded too (young: kept).
            insert(db, 1, 10, "c.txt", OLD);
            insert(db, 1, 11, "c.txt", RECENT);
            insert(db, 1, 12, "c.txt", RECENT);
            // d.txt in the other partition too: superseded only within its own partition, so both are kept.
            insert(db, 0, 5, "d.txt", OLD);
            insert(db, 2, 1, "d.txt", OLD);

            int deleted = new ChangeLog(List.of(db.dataSource()), ShardFanOut.sequential()).prune(HORIZON, 10_000);

            assertThat(deleted).isEqualTo(3);
            assertThat(remaining(db)).containsExactly("0:3 a.txt", "0:4 b.txt", "0:5 d.txt", "1:11 c.txt",
                    "1:12 c.txt", "2:1 d.txt");
        }
    }

    @Test
    void aPruneDeletesAtMostItsBatchAndTheNextTakesTheRest(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = MigratedDatabase.create(postgres, "change_prune_batch")) {
            for (int offset = 0; offset < 7; offset++) {
                insert(db, 0, offset, "many.txt", OLD);
            }
            ChangeLog log = new ChangeLog(List.of(db.dataSource()), ShardFanOut.sequential());

            assertThat(log.prune(HORIZON, 4)).isEqualTo(4);
            assertThat(log.prune(HORIZON, 4)).isEqualTo(2);
            assertThat(log.prune(HORIZON, 4)).isZero();
            assertThat(remaining(db)).containsExactly("0:6 many.txt");
        }
    }

    private static void insert(ReadModelDatabase db, int partition, long offset, String key, Instant projectedAt)
            throws Exception {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO changes (topic_partition, record_offset, "
                     + "bucket, key, version_id, change, projected_at) VALUES (?, ?, 'b', ?, ?, 'VERSION_CREATED', ?)")) {
            insert.setInt(1, partition);
            insert.setLong(2, offset);
            insert.setString(3, key);
            insert.setString(4, "v" + offset);
            insert.setTimestamp(5, Timestamp.from(projectedAt));
            insert.executeUpdate();
        }
    }

    private static List<String> remaining(ReadModelDatabase db) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT topic_partition || ':' || record_offset || ' ' "
                     + "|| key FROM changes ORDER BY topic_partition, record_offset")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
