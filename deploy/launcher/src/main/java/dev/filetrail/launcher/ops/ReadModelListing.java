package dev.filetrail.launcher.ops;

import dev.filetrail.api.StoredKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Filetrail's side: the read model's versions of a bucket in key order, streamed through a server-side cursor
 * (autocommit off, fetch size set), regrouped per key. The newest entry is the head's {@code latest_version_id}.
 * Keys are stored in {@link StoredKey}'s form, whose byte order is the keys' own, so the merge order holds.
 */
final class ReadModelListing extends KeyListing implements AutoCloseable {
    private static final String SQL = """
            SELECT v.key, v.version_id, v.delete_marker, v.storage_class, v.created_at, v.size, v.e_tag,
                   f.latest_version_id
              FROM file_versions v
              LEFT JOIN files f ON f.bucket = v.bucket AND f.key = v.key
             WHERE v.bucket = ? AND v.key LIKE ? ESCAPE '\\' AND v.removed_at IS NULL
             ORDER BY v.key, v.version_id""";

    private final Connection connection;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private ObjectEntry carried;
    private boolean exhausted;

    ReadModelListing(DataSource dataSource, String bucket, String prefix, int fetchSize) {
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            statement = connection.prepareStatement(SQL);
            statement.setFetchSize(fetchSize);
            statement.setString(1, bucket);
            statement.setString(2, likePrefix(StoredKey.toColumn(prefix)));
            rows = statement.executeQuery();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the read model of bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected KeyEntries advance() {
        List<ObjectEntry> entries = new ArrayList<>();
        if (carried != null) {
            entries.add(carried);
            carried = null;
        }
        try {
            while (!exhausted) {
                if (!rows.next()) {
                    exhausted = true;
                    break;
                }
                ObjectEntry entry = entry(rows);
                if (!entries.isEmpty() && !entries.get(0).key().equals(entry.key())) {
                    carried = entry;
                    break;
                }
                entries.add(entry);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the read model failed: " + e.getMessage(), e);
        }
        return entries.isEmpty() ? null : new KeyEntries(entries.get(0).key(), entries);
    }

    private static ObjectEntry entry(ResultSet rs) throws SQLException {
        String versionId = rs.getString(2);
        Timestamp created = rs.getTimestamp(5);
        long size = rs.getLong(6);
        Long sizeOrNull = rs.wasNull() ? null : size;
        return new ObjectEntry(StoredKey.fromColumn(rs.getString(1)), versionId, rs.getBoolean(3), rs.getString(4),
                versionId.equals(rs.getString(8)), created == null ? null : created.toInstant(), sizeOrNull,
                rs.getString(7));
    }

    static String likePrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        return p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    @Override
    public void close() {
        try (connection; statement; rows) {
            connection.rollback();
        } catch (SQLException e) {
            // Read-only: nothing to lose; the pool replaces a broken connection.
        }
    }
}
