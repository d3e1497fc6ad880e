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
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads files and versions from the read model; every statement is parameterised. */
public final class FileQueries implements FileReads {
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
                             FileVersion.Restore restore, Instant tagsChangedAt, FileVersion.Derivatives derivatives,
                             Instant removedAt, String removedReason, Map<String, String> tags,
                             Instant tagsFetchedAt) {

        /** A row whose tags are not known. */
        public VersionRow(String versionId, String ordering, String sequencer, boolean deleteMarker, Long size,
                          String eTag, String storageClass, Instant createdAt, String requester, String contentType,
                          FileVersion.Restore restore, Instant tagsChangedAt, FileVersion.Derivatives derivatives,
                          Instant removedAt, String removedReason) {
            this(versionId, ordering, sequencer, deleteMarker, size, eTag, storageClass, createdAt, requester,
                    contentType, restore, tagsChangedAt, derivatives, removedAt, removedReason, null, null);
        }
    }

    private static final String FILE_COLUMNS = "bucket, key, deleted, current_version_id, latest_version_id, "
            + "version_count, delete_marker_count, size, e_tag, content_type, storage_class, last_modified";
    private static final String VERSION_COLUMNS = "version_id, ordering, sequencer, delete_marker, size, e_tag, "
            + "storage_class, created_at, requester, content_type, restore, tags_changed_at, derivatives, removed_at, "
            + "removed_reason, tags, tags_fetched_at";
    // Each statement is one constant text, so pgjdbc finds it in the connection's cache of server-prepared
    // statements (ReadModelDatabase) instead of building and parsing it per request.
    // A prefix is a range of the (bucket, key) index, [prefix, successor of prefix), given as two bounds rather than
    // LIKE: a server-prepared statement may run a generic plan, which cannot turn LIKE ? into index bounds and would
    // read every key of the bucket after the cursor.
    private static final String LIST = "SELECT " + FILE_COLUMNS + " FROM files WHERE bucket = ? AND NOT deleted"
            + " AND key > ? AND key >= ? AND key < ? ORDER BY key LIMIT ?";
    private static final String LIST_UNBOUNDED = "SELECT " + FILE_COLUMNS + " FROM files WHERE bucket = ?"
            + " AND NOT deleted AND key > ? AND key >= ? ORDER BY key LIMIT ?";
    private static final String FILE = "SELECT " + FILE_COLUMNS + " FROM files WHERE bucket = ? AND key = ?";
    // The file route's one round trip: the head and what the processors attached to its current version.
    private static final String FILE_WITH_CURRENT = "SELECT f." + FILE_COLUMNS.replace(", ", ", f.")
            + ", v.derivatives, v.tags FROM files f LEFT JOIN file_versions v"
            + " ON v.bucket = f.bucket AND v.key = f.key AND v.version_id = f.current_version_id"
            + " WHERE f.bucket = ? AND f.key = ?";
    // A removed version (S3 no longer has it) is a history entry only: no URL, share or restore finds it.
    private static final String VERSION = "SELECT " + VERSION_COLUMNS
            + " FROM file_versions WHERE bucket = ? AND key = ? AND version_id = ? AND removed_at IS NULL";
    private static final String HISTORY = "SELECT " + VERSION_COLUMNS + " FROM file_versions WHERE bucket = ? AND key = ?"
            + " AND removed_at IS NULL ORDER BY ordering DESC, version_id DESC LIMIT ?";
    private static final String HISTORY_AFTER = "SELECT " + VERSION_COLUMNS
            + " FROM file_versions WHERE bucket = ? AND key = ? AND (ordering, version_id) < (?, ?)"
            + " AND removed_at IS NULL ORDER BY ordering DESC, version_id DESC LIMIT ?";
    // ?include=removed: the same, removed entries too.
    private static final String HISTORY_ALL = "SELECT " + VERSION_COLUMNS
            + " FROM file_versions WHERE bucket = ? AND key = ? ORDER BY ordering DESC, version_id DESC LIMIT ?";
    private static final String HISTORY_ALL_AFTER = "SELECT " + VERSION_COLUMNS
            + " FROM file_versions WHERE bucket = ? AND key = ? AND (ordering, version_id) < (?, ?)"
            + " ORDER BY ordering DESC, version_id DESC LIMIT ?";

    // As of an instant T: the version current at T is, among the versions created by T and not removed by T, the last
    // in S3's order (ordering = sequencer order), so skewed clocks between events never reorder a key's versions.
    private static final String VERSION_AS_OF = "SELECT " + VERSION_COLUMNS + " FROM file_versions"
            + " WHERE bucket = ? AND key = ? AND created_at <= ? AND (removed_at IS NULL OR removed_at > ?)"
            + " ORDER BY ordering DESC, version_id DESC LIMIT 1";
    // The keys under a prefix from file_keys (one row per key ever seen: a range scan in key order, like the live
    // listing's), and per key the version current at T from the history index read from the newest down; the index
    // covers both the test (created_at, removed_at, delete_marker) and the answer, so each key is one index descent
    // and no table row (an index-only scan, once the visibility map is set). A page costs its keys (and per key the
    // index entries newer than T), never a scan of the prefix's versions. The nested loop keeps file_keys' order,
    // so LIMIT stops the walk.
    private static final String LIST_AS_OF_TEMPLATE = "SELECT k.key, c.version_id, c.size, c.e_tag, c.storage_class,"
            + " c.content_type, c.created_at FROM (SELECT bucket, key FROM file_keys WHERE bucket = ? AND key > ?"
            + " AND key >= ? %s ORDER BY key) k CROSS JOIN LATERAL"
            + " (SELECT version_id, delete_marker, size, e_tag, storage_class, content_type, created_at"
            + " FROM file_versions c WHERE c.bucket = k.bucket AND c.key = k.key"
            + " AND c.created_at <= ? AND (c.removed_at IS NULL OR c.removed_at > ?)"
            + " ORDER BY c.ordering DESC, c.version_id DESC LIMIT 1) c"
            + " WHERE NOT c.delete_marker ORDER BY k.key LIMIT ?";
    private static final String LIST_AS_OF = String.format(LIST_AS_OF_TEMPLATE, "AND key < ?");
    private static final String LIST_AS_OF_UNBOUNDED = String.format(LIST_AS_OF_TEMPLATE, "");
    // The same answer from the newest head snapshot at or before T (AsOfSnapshots), when it is ready: its rows in key
    // order (a range scan, like the live listing's), each taken as it is while T is before the row's dirty_from, and
    // only the keys that changed between the snapshot and T descend into the history index as above (the gate on
    // dirty_from is a one-time filter of the lateral: a clean row never starts that scan). No ready snapshot at or
    // before T (none yet, or the newest one still filling): no rows, and listAsOf asks the statement above.
    private static final String LIST_AS_OF_SNAPSHOT_TEMPLATE = "SELECT h.key, h.dirty_from > ? AS clean,"
            + " h.version_id, h.size, h.e_tag, h.storage_class, h.content_type, h.created_at,"
            + " c.version_id, c.size, c.e_tag, c.storage_class, c.content_type, c.created_at"
            + " FROM as_of_heads h LEFT JOIN LATERAL (SELECT version_id, delete_marker, size, e_tag, storage_class,"
            + " content_type, created_at FROM file_versions c WHERE h.dirty_from <= ? AND c.bucket = h.bucket"
            + " AND c.key = h.key AND c.created_at <= ? AND (c.removed_at IS NULL OR c.removed_at > ?)"
            + " ORDER BY c.ordering DESC, c.version_id DESC LIMIT 1) c ON true"
            + " WHERE h.bucket = ? AND h.key > ? AND h.key >= ? %s"
            + " AND h.taken_at = (SELECT CASE WHEN s.ready THEN s.taken_at END FROM as_of_snapshots s"
            + " WHERE s.bucket = ? AND s.taken_at <= ? ORDER BY s.taken_at DESC LIMIT 1)"
            + " AND (h.dirty_from > ? AND h.version_id IS NOT NULL OR h.dirty_from <= ? AND NOT c.delete_marker)"
            + " ORDER BY h.key LIMIT ?";
    private static final String LIST_AS_OF_SNAPSHOT = String.format(LIST_AS_OF_SNAPSHOT_TEMPLATE, "AND h.key < ?");
    private static final String LIST_AS_OF_SNAPSHOT_UNBOUNDED = String.format(LIST_AS_OF_SNAPSHOT_TEMPLATE, "");
    private static final String SNAPSHOT_READY = "SELECT ready FROM as_of_snapshots WHERE bucket = ? AND taken_at <= ?"
            + " ORDER BY taken_at DESC LIMIT 1";

    /** One file of an as-of listing: its key and what a listing shows of the version that was current. */
    public record AsOfRow(String key, String versionId, Long size, String eTag, String storageClass,
                          String contentType, Instant createdAt) {
    }

    /** The version of a file that was current at {@code at}; a delete marker when it was deleted then. */
    public Optional<VersionRow> versionAsOf(String bucket, String key, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(VERSION_AS_OF)) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            s.setTimestamp(3, Timestamp.from(at));
            s.setTimestamp(4, Timestamp.from(at));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(versionRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("as-of lookup failed for " + bucket + "/" + key, e);
        }
    }

    /**
     * The files under {@code prefix} that existed at {@code at} (their current version then was not a delete
     * marker), after {@code afterKey}, in key order, each with that version.
     */
    public List<AsOfRow> listAsOf(String bucket, String prefix, String afterKey, Instant at, int limit) {
        KeyRange range = KeyRange.of(bucket, prefix, afterKey);
        Timestamp t = Timestamp.from(at);
        try (Connection c = dataSource.getConnection()) {
            List<AsOfRow> rows = listAsOfFromSnapshot(c, range, t, limit);
            return rows.isEmpty() && !readySnapshotAnswers(c, bucket, t) ? listAsOfByDescent(c, range, t, limit) : rows;
        } catch (SQLException e) {
            throw new IllegalStateException("as-of listing failed for bucket " + bucket, e);
        }
    }

    /** The as-of listing without snapshots: one history descent per key (the oracle the snapshot path is tested by). */
    List<AsOfRow> listAsOfByDescent(String bucket, String prefix, String afterKey, Instant at, int limit) {
        try (Connection c = dataSource.getConnection()) {
            return listAsOfByDescent(c, KeyRange.of(bucket, prefix, afterKey), Timestamp.from(at), limit);
        } catch (SQLException e) {
            throw new IllegalStateException("as-of listing failed for bucket " + bucket, e);
        }
    }

    /** The as-of listing from the newest snapshot at or before {@code at} alone: empty when none is ready. */
    List<AsOfRow> listAsOfFromSnapshot(String bucket, String prefix, String afterKey, Instant at, int limit) {
        try (Connection c = dataSource.getConnection()) {
            return listAsOfFromSnapshot(c, KeyRange.of(bucket, prefix, afterKey), Timestamp.from(at), limit);
        } catch (SQLException e) {
            throw new IllegalStateException("as-of listing failed for bucket " + bucket, e);
        }
    }

    private static List<AsOfRow> listAsOfFromSnapshot(Connection c, KeyRange range, Timestamp t, int limit)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(range.bounded() ? LIST_AS_OF_SNAPSHOT
                : LIST_AS_OF_SNAPSHOT_UNBOUNDED)) {
            int i = 1;
            for (int n = 0; n < 4; n++) {
                s.setTimestamp(i++, t);
            }
            i = range.bind(s, i);
            s.setString(i++, range.bucket());
            for (int n = 0; n < 3; n++) {
                s.setTimestamp(i++, t);
            }
            s.setInt(i, limit);
            List<AsOfRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int from = rs.getBoolean(2) ? 3 : 9;
                    rows.add(new AsOfRow(StoredKey.fromColumn(rs.getString(1)), rs.getString(from),
                            nullableLong(rs, from + 1), rs.getString(from + 2), rs.getString(from + 3),
                            rs.getString(from + 4), instant(rs.getTimestamp(from + 5))));
                }
            }
            return rows;
        }
    }

    /** Whether the newest snapshot at or before {@code t} is ready, so that an empty page from it is the answer. */
    private static boolean readySnapshotAnswers(Connection c, String bucket, Timestamp t) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SNAPSHOT_READY)) {
            s.setString(1, bucket);
            s.setTimestamp(2, t);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static List<AsOfRow> listAsOfByDescent(Connection c, KeyRange range, Timestamp t, int limit)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(range.bounded() ? LIST_AS_OF : LIST_AS_OF_UNBOUNDED)) {
            int i = range.bind(s, 1);
            s.setTimestamp(i++, t);
            s.setTimestamp(i++, t);
            s.setInt(i, limit);
            List<AsOfRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AsOfRow(StoredKey.fromColumn(rs.getString(1)), rs.getString(2), nullableLong(rs, 3),
                            rs.getString(4), rs.getString(5), rs.getString(6), instant(rs.getTimestamp(7))));
                }
            }
            return rows;
        }
    }

    /**
     * Current (not deleted) files whose key starts with {@code prefix}, after {@code afterKey}, in key order (UTF-8
     * byte order); keys are compared in their {@link StoredKey} form, which keeps both order and prefixes.
     */
    public List<FileRow> list(String bucket, String prefix, String afterKey, int limit) {
        KeyRange range = KeyRange.of(bucket, prefix, afterKey);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(range.bounded() ? LIST : LIST_UNBOUNDED)) {
            s.setInt(range.bind(s, 1), limit);
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

    /**
     * The keys a listing reads, as the statements' {@code bucket = ? AND key > ? AND key >= ? [AND key < ?]} take
     * them: after the cursor's key, from the prefix, below the prefix's successor (none for an empty prefix).
     */
    private record KeyRange(String bucket, String after, String from, String until) {
        static KeyRange of(String bucket, String prefix, String afterKey) {
            String from = prefix == null ? "" : StoredKey.toColumn(prefix);
            return new KeyRange(bucket, afterKey == null ? "" : StoredKey.toColumn(afterKey), from, successor(from));
        }

        boolean bounded() {
            return until != null;
        }

        /** Binds the range from parameter {@code first} on; the index of the next parameter. */
        int bind(PreparedStatement s, int first) throws SQLException {
            int i = first;
            s.setString(i++, bucket);
            s.setString(i++, after);
            s.setString(i++, from);
            if (until != null) {
                s.setString(i++, until);
            }
            return i;
        }
    }

    public Optional<FileRow> file(String bucket, String key) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(FILE)) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(fileRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("file lookup failed for " + bucket + "/" + key, e);
        }
    }

    /** A file's head with the derivatives of its current version (null when none, or no current version). */
    public record FileWithCurrent(FileRow file, FileVersion.Derivatives currentDerivatives,
                                  Map<String, String> currentTags) {
    }

    /** {@link #file} and the current version's derivatives in one statement (one snapshot, one round trip). */
    public Optional<FileWithCurrent> fileWithCurrent(String bucket, String key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(FILE_WITH_CURRENT)) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new FileWithCurrent(fileRow(rs), derivatives(rs.getString(13)),
                        tags(rs.getString(14)))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("file lookup failed for " + bucket + "/" + key, e);
        }
    }

    public Optional<VersionRow> version(String bucket, String key, String versionId) {
        return versionBy(VERSION, bucket, key, versionId);
    }

    // A version whatever its state, removed ones too: the timeline route's 404 check and a removal's reason.
    private static final String VERSION_ANY = "SELECT " + VERSION_COLUMNS
            + " FROM file_versions WHERE bucket = ? AND key = ? AND version_id = ?";
    // One version's own changes, oldest first, from the change feed's rows (changes_by_key narrows to the key; a
    // key's records are all on one partition, so its offsets are its order).
    private static final String VERSION_EVENTS = "SELECT topic_partition, record_offset, change, version, event_time"
            + " FROM changes WHERE bucket = ? AND key = ? AND version_id = ?"
            + " AND (topic_partition, record_offset) > (?, ?) ORDER BY topic_partition, record_offset LIMIT ?";

    /** One version in any state (removed too), or empty when the read model has never seen it. */
    public Optional<VersionRow> versionInAnyState(String bucket, String key, String versionId) {
        return versionBy(VERSION_ANY, bucket, key, versionId);
    }

    private Optional<VersionRow> versionBy(String sql, String bucket, String key, String versionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(sql)) {
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

    /** One change to one version: its place in the change feed, kind, the version after it, and when. */
    public record VersionChangeRow(int partition, long offset, String change, FileVersion version, Instant at) {
    }

    /** A version's changes in the order they were applied, strictly after (partition, offset). */
    public List<VersionChangeRow> versionChanges(String bucket, String key, String versionId, int afterPartition,
                                                 long afterOffset, int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(VERSION_EVENTS)) {
            s.setString(1, bucket);
            s.setString(2, StoredKey.toColumn(key));
            s.setString(3, versionId);
            s.setInt(4, afterPartition);
            s.setLong(5, afterOffset);
            s.setInt(6, limit);
            List<VersionChangeRow> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String version = rs.getString(4);
                    rows.add(new VersionChangeRow(rs.getInt(1), rs.getLong(2), rs.getString(3),
                            version == null ? null : Json.read(version, FileVersion.class),
                            instant(rs.getTimestamp(5))));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("version changes failed for " + bucket + "/" + key, e);
        }
    }

    /**
     * Versions newest first (S3 sequencer order), strictly after the cursor position when one is given; with the
     * removed entries too when {@code includeRemoved}.
     */
    @Override
    public List<VersionRow> history(String bucket, String key, String afterOrdering, String afterVersionId, int limit,
                                    boolean includeRemoved) {
        String sql = includeRemoved ? afterOrdering == null ? HISTORY_ALL : HISTORY_ALL_AFTER
                : afterOrdering == null ? HISTORY : HISTORY_AFTER;
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(sql)) {
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

    /**
     * The least string above every string that starts with {@code prefix}, in the key columns' order ("C": UTF-8
     * bytes, which is code point order): the prefix with its last code point raised by one, after dropping trailing
     * U+10FFFFs (surrogates are skipped, they are not characters). Null when no string is above them all (an empty
     * prefix, or one made only of U+10FFFF).
     */
    public static String successor(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int last = prefix.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
                return new StringBuilder(start + 2).append(prefix, 0, start).appendCodePoint(next).toString();
            }
            end = start;
        }
        return null;
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
                instant(rs.getTimestamp(12)), derivatives(derivatives), instant(rs.getTimestamp(14)), rs.getString(15),
                tags(rs.getString(16)), instant(rs.getTimestamp(17)));
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>> TAGS =
            new com.fasterxml.jackson.core.type.TypeReference<>() { };

    /** A tags column: key order kept stable (sorted) so the same tags always serialise the same. */
    static Map<String, String> tags(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, TAGS);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable tags column: " + e.getMessage(), e);
        }
    }

    private static FileVersion.Derivatives derivatives(String json) {
        return json == null ? null : Json.read(json, FileVersion.Derivatives.class);
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long value = rs.getLong(index);
        return rs.wasNull() ? null : value;
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
