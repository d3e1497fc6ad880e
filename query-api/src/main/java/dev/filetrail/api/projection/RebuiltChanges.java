package dev.filetrail.api.projection;

import dev.filetrail.events.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Gives a rebuilt schema's change feed the retention state the live one had: a rebuild projects every change anew,
 * so without this every superseded change would be "projected now" and stay for a whole {@code CHANGES_RETENTION}
 * more (a full sync would page through all of history meanwhile).
 *
 * <p>Only superseded changes are ever pruned ({@link SupersededChange}, the rule {@code ChangeLog.prune} applies
 * too), so only they are touched. One that the live schema still holds gets its {@code projected_at}; one that the
 * live schema had passed (below its stored next offset) but no longer holds was pruned there, or was never written
 * there (projected before the change feed existed), and is deleted, as the live schema has it.
 */
final class RebuiltChanges {
    private static final String TOPIC = Topics.FILE_VERSIONS.name();

    private RebuiltChanges() {
    }

    /** What a carry-over did: superseded changes given their live age, and superseded changes the live had dropped. */
    record Carried(long aged, long dropped) {
    }

    /**
     * Carries the live schema's change ages into the rebuilt one, in one transaction of {@code connection}'s
     * (committed here). Nothing happens when the live schema, or its change feed, does not exist.
     */
    static Carried carryOver(Connection connection, String live, String rebuilt) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, live + ".changes");
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new Carried(0, 0);
                }
            }
        }
        String superseded = SupersededChange.condition(rebuilt + ".changes", "t");
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (PreparedStatement age = connection.prepareStatement("UPDATE " + rebuilt + ".changes t"
                + " SET projected_at = l.projected_at FROM " + live + ".changes l"
                + " WHERE l.topic_partition = t.topic_partition AND l.record_offset = t.record_offset"
                + " AND l.projected_at < t.projected_at AND " + superseded);
             PreparedStatement drop = connection.prepareStatement("DELETE FROM " + rebuilt + ".changes t"
                     + " USING " + live + ".projection_offsets o"
                     + " WHERE o.topic = ? AND o.partition = t.topic_partition AND t.record_offset < o.next_offset"
                     + " AND NOT EXISTS (SELECT 1 FROM " + live + ".changes l"
                     + " WHERE l.topic_partition = t.topic_partition AND l.record_offset = t.record_offset)"
                     + " AND " + superseded)) {
            long aged = age.executeLargeUpdate();
            drop.setString(1, TOPIC);
            long dropped = drop.executeLargeUpdate();
            connection.commit();
            return new Carried(aged, dropped);
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
