package dev.filetrail.launcher.reprocess;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reprocess jobs in PostgreSQL, in the schema {@code <DATABASE_SCHEMA>_reprocess} beside the read model (its own
 * migrations, {@code db/reprocess}): a job is planned as a snapshot of the candidate versions, numbered in key
 * order, and each processor's hand-over of a version is recorded the moment Lambda accepted it, so a resumed job
 * sends only what was not accepted before. With a sharded read model the jobs live in shard 0 (one place, like the
 * API keys) and a job is planned from every shard: shard 0's candidates in one statement, then each other shard's
 * streamed in key order into shard 0, numbered after the previous shard's. Each shard's part is one consistent
 * snapshot of that shard; the parts are taken one after the other.
 */
public final class ReprocessJobs {
    /** Where the migrations of the job tables are. */
    public static final String MIGRATIONS = "classpath:db/reprocess";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int COPY_BATCH = 1000;

    private final DataSource database;
    private final String schema;
    private final List<DataSource> readModel;

    /** @param schema the jobs' schema, a plain identifier ({@code [a-z_][a-z0-9_]*}, as DATABASE_SCHEMA is checked) */
    public ReprocessJobs(DataSource database, String schema) {
        this(database, schema, List.of(database));
    }

    /**
     * @param database  where the jobs live (shard 0 of a sharded read model)
     * @param readModel the read model's shards, in order, whose candidates a job plans
     */
    public ReprocessJobs(DataSource database, String schema, List<DataSource> readModel) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain schema name: " + schema);
        }
        this.database = database;
        this.schema = schema;
        this.readModel = List.copyOf(readModel);
    }

    /** The schema that holds the jobs of a read model in {@code databaseSchema}. */
    public static String schemaFor(String databaseSchema) {
        return databaseSchema + "_reprocess";
    }

    public String schema() {
        return schema;
    }

    /**
     * Plans a job: every candidate of the scope (see {@link Candidates}) copied into the job in one statement, so
     * the plan is one consistent snapshot of the read model and never passes through this process's memory.
     */
    public ReprocessJob create(String bucket, String prefix, boolean includeFailed) throws SQLException {
        String id = "rp_" + HexFormat.of().formatHex(bytes(8));
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".reprocess_jobs"
                        + " (id, bucket, prefix, include_failed, state, total) VALUES (?, ?, ?, ?, ?, 0)")) {
                    s.setString(1, id);
                    s.setString(2, bucket);
                    s.setString(3, prefix == null ? "" : prefix);
                    s.setBoolean(4, includeFailed);
                    s.setString(5, ReprocessJob.OPEN);
                    s.executeUpdate();
                }
                long total = 0;
                for (DataSource shard : readModel) {
                    total += shard == database ? planHere(c, id, total, bucket, prefix, includeFailed)
                            : copy(shard, c, id, total, bucket, prefix, includeFailed);
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".reprocess_jobs SET total = ?,"
                        + " state = ?, finished_at = CASE WHEN ? = 0 THEN now() END WHERE id = ?")) {
                    s.setLong(1, total);
                    s.setString(2, total == 0 ? ReprocessJob.FINISHED : ReprocessJob.OPEN);
                    s.setLong(3, total);
                    s.setString(4, id);
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return find(id).orElseThrow();
    }

    /** Plans the candidates of the database the jobs live in, in one statement, numbered after {@code before}. */
    private long planHere(Connection c, String id, long before, String bucket, String prefix, boolean includeFailed)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".reprocess_versions"
                + " (job_id, seq, key, version_id, size, e_tag, sequencer, reason)"
                + " SELECT ?, ?::bigint + row_number() OVER (ORDER BY key, version_id), " + Candidates.COLUMNS
                + Candidates.FROM_WHERE)) {
            s.setString(1, id);
            s.setLong(2, before);
            Candidates.bind(s, 3, bucket, prefix, includeFailed);
            return s.executeUpdate();
        }
    }

    /**
     * Copies another shard's candidates into the job, streamed in key order through a server-side cursor (one
     * snapshot of that shard) and inserted in batches, numbered after {@code before}.
     */
    private long copy(DataSource shard, Connection into, String id, long before, String bucket, String prefix,
                      boolean includeFailed) throws SQLException {
        long n = 0;
        try (Connection from = shard.getConnection()) {
            from.setAutoCommit(false);
            from.setReadOnly(true);
            try (PreparedStatement read = from.prepareStatement("SELECT " + Candidates.COLUMNS + Candidates.FROM_WHERE
                    + " ORDER BY key, version_id");
                 PreparedStatement write = into.prepareStatement("INSERT INTO " + schema + ".reprocess_versions"
                         + " (job_id, seq, key, version_id, size, e_tag, sequencer, reason)"
                         + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                read.setFetchSize(COPY_BATCH);
                Candidates.bind(read, 1, bucket, prefix, includeFailed);
                try (ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        Candidate candidate = Candidates.candidate(rs, 1);
                        write.setString(1, id);
                        write.setLong(2, before + ++n);
                        write.setString(3, candidate.key());
                        write.setString(4, candidate.versionId());
                        write.setObject(5, candidate.size(), java.sql.Types.BIGINT);
                        write.setString(6, candidate.eTag());
                        write.setString(7, candidate.sequencer());
                        write.setString(8, candidate.reason());
                        write.addBatch();
                        if (n % COPY_BATCH == 0) {
                            write.executeBatch();
                        }
                    }
                }
                write.executeBatch();
            } finally {
                from.rollback();
            }
        }
        return n;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The job, with its count of fully handed-over versions; empty if there is none (or no job table yet). */
    public Optional<ReprocessJob> find(String id) throws SQLException {
        try (Connection c = database.getConnection()) {
            if (!tablesExist(c)) {
                return Optional.empty();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT j.id, j.bucket, j.prefix, j.include_failed, j.state,"
                    + " j.total, (SELECT count(*) FROM " + schema + ".reprocess_versions v WHERE v.job_id = j.id"
                    + " AND v.thumbnail_sent_at IS NOT NULL AND v.metadata_sent_at IS NOT NULL),"
                    + " j.created_at, j.finished_at, j.last_error FROM " + schema + ".reprocess_jobs j WHERE j.id = ?")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Timestamp finished = rs.getTimestamp(9);
                    return Optional.of(new ReprocessJob(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getBoolean(4), rs.getString(5), rs.getLong(6), rs.getLong(7),
                            rs.getTimestamp(8).toInstant(), finished == null ? null : finished.toInstant(),
                            rs.getString(10)));
                }
            }
        }
    }

    private boolean tablesExist(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, schema + ".reprocess_jobs");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** One version of a job with what was already handed over. */
    public record Item(long seq, Candidate version, boolean thumbnailSent, boolean metadataSent) {
        boolean sent(Processor processor) {
            return processor == Processor.THUMBNAILER ? thumbnailSent : metadataSent;
        }
    }

    /** Up to {@code limit} versions after {@code afterSeq} that some processor has not been handed yet, in order. */
    public List<Item> pending(String jobId, long afterSeq, int limit) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT seq, key, version_id, size, e_tag, sequencer, reason,"
                     + " thumbnail_sent_at IS NOT NULL, metadata_sent_at IS NOT NULL FROM " + schema
                     + ".reprocess_versions WHERE job_id = ? AND seq > ?"
                     + " AND (thumbnail_sent_at IS NULL OR metadata_sent_at IS NULL) ORDER BY seq LIMIT ?")) {
            s.setString(1, jobId);
            s.setLong(2, afterSeq);
            s.setInt(3, limit);
            List<Item> items = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    items.add(new Item(rs.getLong(1), Candidates.candidate(rs, 2), rs.getBoolean(8), rs.getBoolean(9)));
                }
            }
            return items;
        }
    }

    /** Records that Lambda accepted {@code processor}'s invocation for the job's version {@code seq}. */
    public void markSent(String jobId, long seq, Processor processor) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".reprocess_versions SET "
                     + processor.sentColumn() + " = now() WHERE job_id = ? AND seq = ?")) {
            s.setString(1, jobId);
            s.setLong(2, seq);
            s.executeUpdate();
        }
    }

    /** Marks the job finished when nothing is left to hand over; records {@code error} (null clears it). */
    public void update(String jobId, boolean finished, String error) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".reprocess_jobs SET state = ?,"
                     + " finished_at = CASE WHEN ? THEN now() END, last_error = ?, updated_at = now() WHERE id = ?")) {
            s.setString(1, finished ? ReprocessJob.FINISHED : ReprocessJob.OPEN);
            s.setBoolean(2, finished);
            s.setString(3, error);
            s.setString(4, jobId);
            s.executeUpdate();
        }
    }

    /**
     * Takes the job's lease for this process: a session advisory lock on a connection of its own, released when the
     * lease is closed (or the process dies), so two runs of one job never hand the same version over side by side.
     * Empty when another process holds it.
     */
    public Optional<AutoCloseable> lease(String jobId) throws SQLException {
        Connection c = database.getConnection();
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            s.setString(1, "filetrail-reprocess:" + jobId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.close();
                    return Optional.empty();
                }
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return Optional.of(() -> {
            try (c; Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock_all()");
            }
        });
    }
}
