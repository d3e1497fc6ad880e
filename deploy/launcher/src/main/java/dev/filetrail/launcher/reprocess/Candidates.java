package dev.filetrail.launcher.reprocess;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The versions of a bucket (under a prefix) that the processors have not handled, read from the query API's read
 * model ({@code file_versions}): present versions (no delete markers, nothing removed) with no processor result at
 * all, or with no metadata result, and with {@code includeFailed} also those where a processor recorded a failure.
 * Versions in GLACIER or DEEP_ARCHIVE are left out: S3 refuses to read them until restored. A sharded read model is
 * asked shard by shard: counts add up, listings merge in key order (each key lives in one shard).
 */
public final class Candidates {
    static final String REASON = "CASE WHEN derivatives IS NULL THEN 'no-derivatives'"
            + " WHEN derivatives->>'sha256' IS NULL THEN 'no-metadata' ELSE 'failed' END";
    static final String COLUMNS = "key, version_id, size, e_tag, sequencer, " + REASON;
    /** Parameters: bucket, LIKE pattern of the prefix, includeFailed. */
    static final String FROM_WHERE = " FROM file_versions WHERE bucket = ? AND key LIKE ? ESCAPE '\\'"
            + " AND NOT delete_marker AND removed_at IS NULL"
            + " AND coalesce(storage_class, 'STANDARD') NOT IN ('GLACIER', 'DEEP_ARCHIVE')"
            + " AND (derivatives IS NULL OR derivatives->>'sha256' IS NULL"
            + " OR (? AND derivatives->>'failureReason' IS NOT NULL))";

    /** The read model's keys compare as their UTF-8 bytes (the columns' "C" collation), then by version id. */
    static final Comparator<Candidate> KEY_ORDER = Comparator.comparing(Candidate::key, Candidates::utf8Order)
            .thenComparing(Candidate::versionId, Candidates::utf8Order);

    private final List<DataSource> shards;

    public Candidates(DataSource readModel) {
        this(List.of(readModel));
    }

    /** Over every shard of a sharded read model, in shard order. */
    public Candidates(List<DataSource> shards) {
        this.shards = List.copyOf(shards);
    }

    /** How many versions a job over this scope would hand over, by reason (in the order of reason names). */
    public Map<String, Long> countByReason(String bucket, String prefix, boolean includeFailed) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        for (DataSource shard : shards) {
            countByReason(shard, bucket, prefix, includeFailed).forEach((reason, n) -> counts.merge(reason, n, Long::sum));
        }
        return counts;
    }

    private static Map<String, Long> countByReason(DataSource readModel, String bucket, String prefix,
                                                   boolean includeFailed) throws SQLException {
        try (Connection c = readModel.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + REASON + ", count(*)" + FROM_WHERE + " GROUP BY 1")) {
            bind(s, 1, bucket, prefix, includeFailed);
            Map<String, Long> counts = new TreeMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            return counts;
        }
    }

    /** The first {@code limit} of them in key order (what a dry run lists). */
    public List<Candidate> first(String bucket, String prefix, boolean includeFailed, int limit) throws SQLException {
        if (shards.size() == 1) {
            return first(shards.get(0), bucket, prefix, includeFailed, limit);
        }
        // Each shard's first `limit` in key order hold the first `limit` of all.
        List<Candidate> all = new ArrayList<>();
        for (DataSource shard : shards) {
            all.addAll(first(shard, bucket, prefix, includeFailed, limit));
        }
        all.sort(KEY_ORDER);
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    private static List<Candidate> first(DataSource readModel, String bucket, String prefix, boolean includeFailed,
                                         int limit) throws SQLException {
        try (Connection c = readModel.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + FROM_WHERE
                     + " ORDER BY key, version_id LIMIT ?")) {
            int next = bind(s, 1, bucket, prefix, includeFailed);
            s.setInt(next, limit);
            List<Candidate> found = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    found.add(candidate(rs, 1));
                }
            }
            return found;
        }
    }

    /** Whether Filetrail has any history of {@code bucket} (a bucket it never saw is most likely a typo). */
    public boolean knows(String bucket) throws SQLException {
        for (DataSource shard : shards) {
            try (Connection c = shard.getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT 1 FROM files WHERE bucket = ? LIMIT 1")) {
                s.setString(1, bucket);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int utf8Order(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** Binds bucket, prefix pattern and includeFailed from {@code index}; returns the next free index. */
    static int bind(PreparedStatement s, int index, String bucket, String prefix, boolean includeFailed)
            throws SQLException {
        s.setString(index, bucket);
        s.setString(index + 1, likePrefix(prefix));
        s.setBoolean(index + 2, includeFailed);
        return index + 3;
    }

    static Candidate candidate(ResultSet rs, int first) throws SQLException {
        long size = rs.getLong(first + 2);
        Long sizeOrNull = rs.wasNull() ? null : size;
        return new Candidate(rs.getString(first), rs.getString(first + 1), sizeOrNull, rs.getString(first + 3),
                rs.getString(first + 4), rs.getString(first + 5));
    }

    /** A LIKE pattern matching keys that start with {@code prefix}, its own wildcards escaped. */
    static String likePrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        return p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
