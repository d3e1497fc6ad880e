package dev.filetrail.api.rewind;

import dev.filetrail.api.StoredKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Rewind jobs and their actions in PostgreSQL (tables {@code rewinds} and {@code rewind_actions} beside the API
 * keys, which read-model rebuilds never touch). Every S3 call of a job is bracketed by two rows: the action is
 * {@code started} before the call and {@code done} or {@code failed} after it, so a job that stops in between knows
 * which action to check against S3 before it acts again.
 */
public final class RewindStore {
    /** Job states. */
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String FINISHED = "finished";
    /** Action states. */
    public static final String PENDING = "pending";
    public static final String STARTED = "started";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String SKIPPED = "skipped";

    private final DataSource dataSource;

    public RewindStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored job. */
    public record Job(String id, String bucket, String prefix, Instant to, String actor, String state,
                      Instant createdAt, Instant finishedAt, String lastError) {
    }

    /** A stored action and its outcome. */
    public record StoredAction(RewindPlan.Action action, String state, String newVersionId, String reason) {
    }

    /** Stores the job (state running) and its plan in one transaction. */
    public void create(String id, RewindPlan plan, String actor) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement job = c.prepareStatement("INSERT INTO rewinds (id, bucket, prefix, to_instant, "
                    + "actor, state) VALUES (?, ?, ?, ?, ?, ?)");
                 PreparedStatement action = c.prepareStatement("INSERT INTO rewind_actions (rewind_id, key, action, "
                         + "source_version_id, current_version_id, state) VALUES (?, ?, ?, ?, ?, ?)")) {
                job.setString(1, id);
                job.setString(2, plan.bucket());
                job.setString(3, plan.prefix());
                job.setTimestamp(4, Timestamp.from(plan.to()));
                job.setString(5, actor);
                job.setString(6, RUNNING);
                job.executeUpdate();
                for (RewindPlan.Action a : plan.actions()) {
                    action.setString(1, id);
                    action.setString(2, StoredKey.toColumn(a.key()));
                    action.setString(3, a.kind().wireName());
                    action.setString(4, a.sourceVersionId());
                    action.setString(5, a.currentVersionId());
                    action.setString(6, a.kind() == RewindPlan.Kind.KEEP ? SKIPPED : PENDING);
                    action.addBatch();
                }
                action.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rewind " + id + " not stored", e);
        }
    }

    public Optional<Job> job(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, bucket, prefix, to_instant, actor, state, "
                     + "created_at, finished_at, last_error FROM rewinds WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Job(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getString(5), rs.getString(6),
                        rs.getTimestamp(7).toInstant(), instant(rs.getTimestamp(8)), rs.getString(9)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rewind " + id + " not read", e);
        }
    }

    /** The ids of jobs in state running (after a restart, their runners are gone and must be started again). */
    public List<String> running() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id FROM rewinds WHERE state = ? ORDER BY created_at")) {
            s.setString(1, RUNNING);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("running rewinds not read", e);
        }
    }

    /** A held lease on a job: while open, no other runner (of any API instance) runs it. */
    public interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the job's lease (a PostgreSQL session advisory lock on a connection held for the run), or empty when
     * another runner holds it: two instances that both pick a job up after a restart never run it side by side.
     */
    public Optional<Lease> lease(String id) {
        try {
            Connection c = dataSource.getConnection();
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 18))")) {
                s.setString(1, "rewind:" + id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        c.close();
                        return Optional.empty();
                    }
                }
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return Optional.of(() -> {
                // A pooled connection outlives close(): the session lock is released explicitly.
                try (c; PreparedStatement s = c.prepareStatement(
                        "SELECT pg_advisory_unlock(hashtextextended(?, 18))")) {
                    s.setString(1, "rewind:" + id);
                    s.executeQuery().close();
                } catch (SQLException e) {
                    throw new IllegalStateException("lease of rewind " + id + " not released", e);
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("lease of rewind " + id + " not taken", e);
        }
    }

    /** Sets the job's state from {@code from} to {@code to}; false when it was not in {@code from}. */
    public boolean transition(String id, String from, String to) {
        return update("UPDATE rewinds SET state = ?, finished_at = CASE WHEN ? = 'finished' THEN now() END"
                + " WHERE id = ? AND state = ?", to, to, id, from) == 1;
    }

    public void lastError(String id, String error) {
        update("UPDATE rewinds SET last_error = ? WHERE id = ?", error, id);
    }

    /** The actions still to run (pending, started, and failed ones when {@code retryFailed}), in key order. */
    public List<StoredAction> unfinished(String id, boolean retryFailed) {
        return actions(id, "state IN ('pending', 'started'" + (retryFailed ? ", 'failed'" : "") + ")");
    }

    /** Every action of the job, in key order. */
    public List<StoredAction> actions(String id) {
        return actions(id, "TRUE");
    }

    private List<StoredAction> actions(String id, String condition) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT key, action, source_version_id, current_version_id, "
                     + "state, new_version_id, reason FROM rewind_actions WHERE rewind_id = ? AND " + condition
                     + " ORDER BY key")) {
            s.setString(1, id);
            List<StoredAction> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new StoredAction(new RewindPlan.Action(StoredKey.fromColumn(rs.getString(1)),
                            RewindPlan.Kind.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                            rs.getString(3), rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("actions of rewind " + id + " not read", e);
        }
    }

    /** Records that the action's S3 call is about to happen. */
    public void started(String id, String key) {
        setState(id, key, STARTED, null, null);
    }

    public void done(String id, String key, String newVersionId) {
        setState(id, key, DONE, newVersionId, null);
    }

    public void failed(String id, String key, String reason) {
        setState(id, key, FAILED, null, reason);
    }

    private void setState(String id, String key, String state, String newVersionId, String reason) {
        update("UPDATE rewind_actions SET state = ?, new_version_id = ?, reason = ?, updated_at = now()"
                + " WHERE rewind_id = ? AND key = ?", state, newVersionId, reason, id, StoredKey.toColumn(key));
    }

    /** How many actions are in each state, and how many of each kind were planned. */
    public record Counts(Map<String, Long> byState, Map<String, Long> byAction) {
    }

    public Counts counts(String id) {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (String state : List.of(PENDING, STARTED, DONE, FAILED, SKIPPED)) {
            byState.put(state, 0L);
        }
        Map<String, Long> byAction = new LinkedHashMap<>();
        for (RewindPlan.Kind kind : RewindPlan.Kind.values()) {
            byAction.put(kind.wireName(), 0L);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT action, state, count(*) FROM rewind_actions"
                     + " WHERE rewind_id = ? GROUP BY action, state")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    byAction.merge(rs.getString(1), rs.getLong(3), Long::sum);
                    byState.merge(rs.getString(2), rs.getLong(3), Long::sum);
                }
            }
            return new Counts(byState, byAction);
        } catch (SQLException e) {
            throw new IllegalStateException("progress of rewind " + id + " not read", e);
        }
    }

    private int update(String sql, String... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setString(i + 1, values[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("rewind not updated: " + sql, e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
