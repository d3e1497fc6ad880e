package dev.filetrail.api.files;

import dev.filetrail.api.StoredKey;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads files and versions from the read model; every statement is parameterised. */
public final class FileQueries {
    private final DataSource dataSource;

    public FileQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A file's head row. */
    public record FileRow(String bucket, String key, boolean deleted, String currentVersionId, String latestVersionId,
                          long versionCount, long deleteMarkerCount, Long size, String eTag, String contentType,
                          String storageClass, Instant lastModified) {
    }

    /** One version row; {@code ordering} is the history sort key. */
    public record VersionRow(String versionId, String ordering, String sequencer, boolean deleteMarker, Long size,
                             String eTag, String storageClass, Instant createdAt, String requester, String contentType,
                             FileVersion.Restore restore, Instant tagsChangedAt, FileVersion.Derivatives derivatives) {
    }

    private static final String FILE_COLUMNS = "bucket, key, deleted, current_version_id, latest_version_id, "
            + "version_count, delete_marker_count, size, e_tag, content_type, storage_class, last_modified";
    private static final String VERSION_COLUMNS = "version_id, ordering, sequencer, delete_marker, size, e_tag, "
            + "storage_class, created_at, requester, content_type, restore, tags_changed_at, derivatives";

    /**
     * Current (not deleted) files whose key starts with {@code prefix}, after {@code afterKey}, in key order (UTF-8
     * byte order); keys are compared in their {@link StoredKey} form, which keeps both order and prefixes.
     */
    public List<FileRow> list(String bucket, String prefix, String afterKey, int limit) {
        String sql = "SELECT " + FILE_COLUMNS + " FROM files WHERE bucket = ? AND NOT deleted"
                + " AND key LIKE ? ESCAPE '\\' AND key > ? ORDER BY key LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, bucket);
            s.setString(2, likePrefix(StoredKey.toColumn(prefix)));
            s.setString(3, afterKey == null ? "" : StoredKey.toColumn(afterKey));
            s.setInt(4, limit);
            List<FileRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(fileRow(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("file listing failed for bucket " + bucket, e);
        }
    }

    public Optional<FileRow> file(String bucket, String key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + FILE_COLUMNS + " FROM files WHERE bucket = ? AND key = ?")) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(fileRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("file lookup failed for " + bucket + "/" + key, e);
        }
    }

    public Optional<VersionRow> version(String bucket, String key, String versionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + VERSION_COLUMNS
                     + " FROM file_versions WHERE bucket = ? AND key = ? AND version_id = ?")) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            s.setString(3, versionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(versionRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("version lookup failed for " + bucket + "/" + key, e);
        }
    }

    /** Versions newest first (S3 sequencer order), strictly after the cursor position when one is given. */
    public List<VersionRow> history(String bucket, String key, String afterOrdering, String afterVersionId, int limit) {
        String sql = "SELECT " + VERSION_COLUMNS + " FROM file_versions WHERE bucket = ? AND key = ?"
                + (afterOrdering == null ? "" : " AND (ordering, version_id) < (?, ?)")
                + " ORDER BY ordering DESC, version_id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, bucket);
            s.setString(i++, StoredKey.toColumn(key));
            if (afterOrdering != null) {
                s.setString(i++, afterOrdering);
                s.setString(i++, afterVersionId);
            }
            s.setInt(i, limit);
            List<VersionRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(versionRow(rs));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("history failed for " + bucket + "/" + key, e);
        }
    }

    static String likePrefix(String prefix) {
        String p = prefix == null ? "" : prefix;
        return p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static FileRow fileRow(ResultSet rs) throws SQLException {
        return new FileRow(rs.getString(1), StoredKey.fromColumn(rs.getString(2)), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                rs.getLong(6), rs.getLong(7), nullableLong(rs, 8), rs.getString(9), rs.getString(10),
                rs.getString(11), instant(rs.getTimestamp(12)));
    }

    private static VersionRow versionRow(ResultSet rs) throws SQLException {
        String restore = rs.getString(11);
        String derivatives = rs.getString(13);
        return new VersionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), nullableLong(rs, 5),
                rs.getString(6), rs.getString(7), instant(rs.getTimestamp(8)), rs.getString(9), rs.getString(10),
                restore == null ? null : Json.read(restore, FileVersion.Restore.class),
                instant(rs.getTimestamp(12)),
                derivatives == null ? null : Json.read(derivatives, FileVersion.Derivatives.class));
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
