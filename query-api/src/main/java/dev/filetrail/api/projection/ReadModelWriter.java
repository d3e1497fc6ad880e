package dev.filetrail.api.projection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.StoredTime;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.HistoryOrder;
import dev.filetrail.events.share.ShareLink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one batch of records into rows. Every record carries the whole state it describes (the version after
 * the change, the head, the link), so only the last record per row matters and the batch collapses to one
 * upsert or delete per row before it reaches PostgreSQL.
 */
final class ReadModelWriter {
    private final Map<List<String>, FileVersion> versionUpserts = new LinkedHashMap<>();
    /** Removed versions: kept as rows marked removed (when, why), so history can still show them. */
    private final Map<List<String>, Removal> versionDeletes = new LinkedHashMap<>();

    /** A version S3 no longer has: as it was, when it went and why. */
    private record Removal(FileVersion version, java.time.Instant at, String reason) {
    }
    private final Map<List<String>, FileHead> heads = new LinkedHashMap<>();
    private final Map<String, ShareLink> links = new LinkedHashMap<>();
    private final Map<String, CloudEvent> audits = new LinkedHashMap<>();
    private final List<Reject> rejects = new ArrayList<>();
    /** Every applied file-version record in offset order: the change feed keeps each, not only the last per row. */
    private final List<ConsumerRecord<String, byte[]>> changeRecords = new ArrayList<>();
    private final List<FileVersionChange> changes = new ArrayList<>();
    private final List<ShareLink> projectedLinks = new ArrayList<>();

    /** A record that could not be read, kept with its reason. */
    record Reject(ConsumerRecord<String, byte[]> record, String reason) {
    }

    /** Reads one record into the pending rows; a record that cannot be read becomes a reject, never an abort. */
    void add(ConsumerRecord<String, byte[]> record) {
        try {
            String topic = record.topic();
            if (topic.equals(Topics.FILE_VERSIONS.name())) {
                addVersionChange(record);
            } else if (topic.equals(Topics.FILES.name())) {
                addHead(record);
            } else if (topic.equals(Topics.SHARE_LINKS.name())) {
                addLink(record);
            } else if (topic.equals(Topics.AUDIT.name())) {
                addAudit(record);
            } else {
                rejects.add(new Reject(record, "topic not projected"));
            }
        } catch (RuntimeException e) {
            rejects.add(new Reject(record, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private void addVersionChange(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        FileVersionChange change = Topics.FILE_VERSIONS.values().decode(record.value());
        require(change.bucket() != null && change.key() != null && change.versionId() != null,
                "file version change without bucket, key or versionId");
        List<String> pk = List.of(change.bucket(), change.key(), change.versionId());
        require(change.change() != null, "file version change without its kind");
        changeRecords.add(record);
        changes.add(change);
        if (change.change() == ChangeType.VERSION_REMOVED) {
            versionUpserts.remove(pk);
            versionDeletes.put(pk, new Removal(change.version(), change.eventTime(),
                    change.removalReason() != null ? change.removalReason() : FileVersionChange.DELETED));
        } else {
            require(change.version() != null, "file version change " + change.change() + " without the version");
            versionDeletes.remove(pk);
            versionUpserts.put(pk, change.version());
        }
    }

    private void addHead(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            String[] parts = splitObjectKey(record.key());
            heads.put(List.of(parts[0], parts[1]), null);
            return;
        }
        FileHead head = Topics.FILES.values().decode(record.value());
        require(head.bucket() != null && head.key() != null, "file head without bucket or key");
        heads.put(List.of(head.bucket(), head.key()), head.exists() ? head : null);
    }

    private void addLink(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            require(record.key() != null, "share link tombstone without a key");
            links.put(record.key(), null);
            return;
        }
        ShareLink link = Topics.SHARE_LINKS.values().decode(record.value());
        require(link.linkId() != null && link.bucket() != null && link.key() != null && link.tokenSha256() != null
                && link.status() != null, "share link without id, bucket, key, token hash or status");
        links.put(link.linkId(), link);
    }

    private void addAudit(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        CloudEvent event = Topics.AUDIT.values().decode(record.value());
        require(event.id() != null && event.type() != null && event.time() != null,
                "CloudEvent without id, type or time");
        audits.putIfAbsent(event.id(), event);
    }

    /**
     * The read-model row a record writes, to tell whether a later record of the same row supersedes it: a version
     * (bucket, key, versionId), a head or a link (their record key); null for audit events, which are only ever
     * inserted once, and for a record that cannot be read.
     */
    static List<String> rowOf(ConsumerRecord<String, byte[]> record) {
        try {
            String topic = record.topic();
            if (topic.equals(Topics.FILE_VERSIONS.name())) {
                if (record.value() == null) {
                    return null;
                }
                FileVersionChange change = Topics.FILE_VERSIONS.values().decode(record.value());
                return List.of(record.topic(), change.bucket(), change.key(), change.versionId());
            }
            if (topic.equals(Topics.FILES.name()) || topic.equals(Topics.SHARE_LINKS.name())) {
                return record.key() == null ? null : List.of(record.topic(), record.key());
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    int pendingRows() {
        return versionUpserts.size() + versionDeletes.size() + heads.size() + links.size() + audits.size()
                + changes.size();
    }

    List<Reject> rejects() {
        return rejects;
    }

    List<ShareLink> projectedLinks() {
        return projectedLinks;
    }

    /** The files whose version rows or head this batch writes: what its projection notice names. */
    Set<BucketKey> changedFiles() {
        Set<BucketKey> files = new LinkedHashSet<>();
        for (List<String> pk : versionUpserts.keySet()) {
            files.add(new BucketKey(pk.get(0), pk.get(1)));
        }
        for (List<String> pk : versionDeletes.keySet()) {
            files.add(new BucketKey(pk.get(0), pk.get(1)));
        }
        for (List<String> pk : heads.keySet()) {
            files.add(new BucketKey(pk.get(0), pk.get(1)));
        }
        return files;
    }

    /** Writes every pending row on {@code connection}, inside the caller's transaction. */
    void flush(Connection connection) throws SQLException {
        writeVersions(connection);
        writeChanges(connection);
        writeHeads(connection);
        writeLinks(connection);
        writeAudit(connection);
        writeRejects(connection);
    }

    private static final String UPSERT_VERSION = """
            INSERT INTO file_versions (bucket, key, version_id, ordering, sequencer, delete_marker, size,
                e_tag, storage_class, created_at, requester, content_type, restore, tags_changed_at,
                derivatives, updated_at, removed_at, removed_reason, tags, tags_fetched_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?, ?::json, now(), ?, ?, ?::jsonb, ?)
            ON CONFLICT (bucket, key, version_id) DO UPDATE SET ordering = EXCLUDED.ordering,
                sequencer = EXCLUDED.sequencer, delete_marker = EXCLUDED.delete_marker,
                size = EXCLUDED.size, e_tag = EXCLUDED.e_tag, storage_class = EXCLUDED.storage_class,
                created_at = EXCLUDED.created_at, requester = EXCLUDED.requester,
                content_type = EXCLUDED.content_type, restore = EXCLUDED.restore,
                tags_changed_at = EXCLUDED.tags_changed_at, derivatives = EXCLUDED.derivatives,
                updated_at = now(), removed_at = EXCLUDED.removed_at, removed_reason = EXCLUDED.removed_reason,
                tags = EXCLUDED.tags, tags_fetched_at = EXCLUDED.tags_fetched_at""";

    private void writeVersions(Connection connection) throws SQLException {
        if (versionUpserts.isEmpty() && versionDeletes.isEmpty()) {
            return;
        }
        // A removal keeps the row, as it was, marked removed; a version written again (S3's reused "null" version)
        // is present again.
        List<List<String>> markOnly = new java.util.ArrayList<>();
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT_VERSION)) {
            for (Map.Entry<List<String>, FileVersion> entry : versionUpserts.entrySet()) {
                bindVersion(upsert, entry.getKey(), entry.getValue(), null);
                upsert.addBatch();
            }
            for (Map.Entry<List<String>, Removal> entry : versionDeletes.entrySet()) {
                if (entry.getValue().version() == null) {
                    markOnly.add(entry.getKey());
                    continue;
                }
                bindVersion(upsert, entry.getKey(), entry.getValue().version(), entry.getValue());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
        if (!markOnly.isEmpty()) {
            try (PreparedStatement mark = connection.prepareStatement("UPDATE file_versions SET removed_at = ?, "
                    + "removed_reason = ?, updated_at = now() WHERE bucket = ? AND key = ? AND version_id = ?")) {
                for (List<String> pk : markOnly) {
                    Removal removal = versionDeletes.get(pk);
                    mark.setTimestamp(1, StoredTime.toColumn(removal.at(), "removedAt"));
                    mark.setString(2, removal.reason());
                    mark.setString(3, pk.get(0));
                    mark.setString(4, StoredKey.toColumn(pk.get(1)));
                    mark.setString(5, pk.get(2));
                    mark.addBatch();
                }
                mark.executeBatch();
            }
        }
    }

    /** The change feed's rows; a record applied again (a retried reject) keeps its first row. */
    private void writeChanges(Connection connection) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO changes (topic_partition, record_offset, bucket, key, version_id, change, version, head,
                    event_time)
                VALUES (?, ?, ?, ?, ?, ?, ?::json, ?::json, ?) ON CONFLICT DO NOTHING""")) {
            for (int i = 0; i < changes.size(); i++) {
                ConsumerRecord<String, byte[]> record = changeRecords.get(i);
                FileVersionChange c = changes.get(i);
                insert.setInt(1, record.partition());
                insert.setLong(2, record.offset());
                insert.setString(3, c.bucket());
                insert.setString(4, StoredKey.toColumn(c.key()));
                insert.setString(5, c.versionId());
                insert.setString(6, c.change().name());
                insert.setString(7, c.version() == null ? null : Json.writeString(c.version()));
                insert.setString(8, c.head() == null ? null : Json.writeString(c.head()));
                insert.setTimestamp(9, StoredTime.toColumn(c.eventTime(), "eventTime"));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void bindVersion(PreparedStatement upsert, List<String> pk, FileVersion v, Removal removal)
            throws SQLException {
        upsert.setString(1, pk.get(0));
        upsert.setString(2, StoredKey.toColumn(pk.get(1)));
        upsert.setString(3, pk.get(2));
        upsert.setString(4, HistoryOrder.key(v.sequencer(), v.createdAt()));
        upsert.setString(5, v.sequencer());
        upsert.setBoolean(6, v.deleteMarker());
        setLong(upsert, 7, v.size());
        upsert.setString(8, v.eTag());
        upsert.setString(9, v.storageClass());
        upsert.setTimestamp(10, StoredTime.toColumn(v.createdAt(), "createdAt"));
        upsert.setString(11, v.requester());
        upsert.setString(12, v.derivatives() == null ? null : v.derivatives().contentType());
        upsert.setString(13, v.restore() == null ? null : Json.writeString(v.restore()));
        upsert.setTimestamp(14, StoredTime.toColumn(v.tagsChangedAt(), "tagsChangedAt"));
        upsert.setString(15, v.derivatives() == null ? null : Json.writeString(v.derivatives()));
        upsert.setTimestamp(16, removal == null ? null : StoredTime.toColumn(removal.at(), "removedAt"));
        upsert.setString(17, removal == null ? null : removal.reason());
        upsert.setString(18, v.tags() == null ? null : Json.writeString(v.tags()));
        upsert.setTimestamp(19, StoredTime.toColumn(v.tagsFetchedAt(), "tagsFetchedAt"));
    }

    private void writeHeads(Connection connection) throws SQLException {
        if (heads.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO files (bucket, key, deleted, current_version_id, latest_version_id, version_count,
                    delete_marker_count, size, e_tag, content_type, storage_class, last_modified)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (bucket, key) DO UPDATE SET deleted = EXCLUDED.deleted,
                    current_version_id = EXCLUDED.current_version_id, latest_version_id = EXCLUDED.latest_version_id,
                    version_count = EXCLUDED.version_count, delete_marker_count = EXCLUDED.delete_marker_count,
                    size = EXCLUDED.size, e_tag = EXCLUDED.e_tag, content_type = EXCLUDED.content_type,
                    storage_class = EXCLUDED.storage_class, last_modified = EXCLUDED.last_modified""");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM files WHERE bucket = ? AND key = ?")) {
            boolean upserts = false;
            boolean deletes = false;
            for (Map.Entry<List<String>, FileHead> entry : heads.entrySet()) {
                FileHead h = entry.getValue();
                if (h == null) {
                    delete.setString(1, entry.getKey().get(0));
                    delete.setString(2, StoredKey.toColumn(entry.getKey().get(1)));
                    delete.addBatch();
                    deletes = true;
                    continue;
                }
                upsert.setString(1, h.bucket());
                upsert.setString(2, StoredKey.toColumn(h.key()));
                upsert.setBoolean(3, h.deleted());
                upsert.setString(4, h.currentVersionId());
                upsert.setString(5, h.latestVersionId());
                upsert.setLong(6, h.versionCount());
                upsert.setLong(7, h.deleteMarkerCount());
                setLong(upsert, 8, h.size());
                upsert.setString(9, h.eTag());
                upsert.setString(10, h.contentType());
                upsert.setString(11, h.storageClass());
                upsert.setTimestamp(12, StoredTime.toColumn(h.lastModified(), "lastModified"));
                upsert.addBatch();
                upserts = true;
            }
            if (upserts) {
                upsert.executeBatch();
            }
            if (deletes) {
                delete.executeBatch();
            }
        }
    }

    private void writeLinks(Connection connection) throws SQLException {
        if (links.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO share_links (link_id, bucket, key, token_sha256, pinned_version_id, resolved_version_id,
                    status, status_reason, expires_at, password_hash, allow_download, created_by, created_at,
                    revoked_at, revoked_by, access_count, last_access_at, last_command_id, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (link_id) DO UPDATE SET bucket = EXCLUDED.bucket, key = EXCLUDED.key,
                    token_sha256 = EXCLUDED.token_sha256, pinned_version_id = EXCLUDED.pinned_version_id,
                    resolved_version_id = EXCLUDED.resolved_version_id, status = EXCLUDED.status,
                    status_reason = EXCLUDED.status_reason, expires_at = EXCLUDED.expires_at,
                    password_hash = EXCLUDED.password_hash, allow_download = EXCLUDED.allow_download,
                    created_by = EXCLUDED.created_by, created_at = EXCLUDED.created_at,
                    revoked_at = EXCLUDED.revoked_at, revoked_by = EXCLUDED.revoked_by,
                    access_count = EXCLUDED.access_count, last_access_at = EXCLUDED.last_access_at,
                    last_command_id = EXCLUDED.last_command_id, updated_at = EXCLUDED.updated_at""");
             PreparedStatement delete = connection.prepareStatement("DELETE FROM share_links WHERE link_id = ?")) {
            boolean upserts = false;
            boolean deletes = false;
            for (Map.Entry<String, ShareLink> entry : links.entrySet()) {
                ShareLink l = entry.getValue();
                if (l == null) {
                    delete.setString(1, entry.getKey());
                    delete.addBatch();
                    deletes = true;
                    continue;
                }
                upsert.setString(1, l.linkId());
                upsert.setString(2, l.bucket());
                upsert.setString(3, StoredKey.toColumn(l.key()));
                upsert.setString(4, l.tokenSha256());
                upsert.setString(5, l.pinnedVersionId());
                upsert.setString(6, l.resolvedVersionId());
                upsert.setString(7, l.status().name());
                upsert.setString(8, StoredKey.toColumn(l.statusReason()));
                upsert.setTimestamp(9, StoredTime.toColumn(l.expiresAt(), "expiresAt"));
                upsert.setString(10, l.passwordHash());
                upsert.setBoolean(11, l.allowDownload());
                upsert.setString(12, l.createdBy());
                upsert.setTimestamp(13, StoredTime.toColumn(l.createdAt(), "createdAt"));
                upsert.setTimestamp(14, StoredTime.toColumn(l.revokedAt(), "revokedAt"));
                upsert.setString(15, l.revokedBy());
                upsert.setLong(16, l.accessCount());
                upsert.setTimestamp(17, StoredTime.toColumn(l.lastAccessAt(), "lastAccessAt"));
                upsert.setString(18, l.lastCommandId());
                upsert.setTimestamp(19, StoredTime.toColumn(l.updatedAt(), "updatedAt"));
                upsert.addBatch();
                upserts = true;
                projectedLinks.add(l);
            }
            if (upserts) {
                upsert.executeBatch();
            }
            if (deletes) {
                delete.executeBatch();
            }
        }
    }

    private void writeAudit(Connection connection) throws SQLException {
        if (audits.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO audit_events (id, type, source, subject, time, bucket, key, event)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::json) ON CONFLICT (id) DO NOTHING""")) {
            for (CloudEvent e : audits.values()) {
                String[] file = fileOf(e);
                insert.setString(1, e.id());
                insert.setString(2, e.type());
                insert.setString(3, e.source());
                insert.setString(4, StoredKey.toColumn(e.subject()));
                insert.setTimestamp(5, StoredTime.toColumn(e.time(), "time"));
                insert.setString(6, file[0]);
                insert.setString(7, StoredKey.toColumn(file[1]));
                insert.setString(8, Json.writeString(e));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The object an audit event is about: its data's bucket and key, else a {@code bucket/key} subject. */
    static String[] fileOf(CloudEvent event) {
        JsonNode data = event.data();
        if (data != null && data.hasNonNull("bucket")) {
            return new String[] {data.get("bucket").asText(), data.hasNonNull("key") ? data.get("key").asText() : null};
        }
        if (event.subject() != null && event.subject().indexOf('/') > 0) {
            return splitObjectKey(event.subject());
        }
        return new String[] {null, null};
    }

    private void writeRejects(Connection connection) throws SQLException {
        if (!rejects.isEmpty()) {
            insertRejects(connection, rejects);
        }
    }

    /** Parks records with their reasons, raw bytes and offsets, inside the caller's transaction. */
    static void insertRejects(Connection connection, List<Reject> rejects) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO projection_rejects (topic, partition, record_offset, record_key, reason, payload)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            for (Reject r : rejects) {
                insert.setString(1, r.record().topic());
                insert.setInt(2, r.record().partition());
                insert.setLong(3, r.record().offset());
                insert.setString(4, StoredKey.toColumn(r.record().key()));
                insert.setString(5, reasonColumn(r.reason()));
                insert.setBytes(6, r.record().value());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    static String[] splitObjectKey(String recordKey) {
        int slash = recordKey == null ? -1 : recordKey.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("record key is not bucket/key: " + recordKey);
        }
        return new String[] {recordKey.substring(0, slash), recordKey.substring(slash + 1)};
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    /** A reason as the rejects table keeps it: bounded, and without U+0000 (a decoder may quote the bad input). */
    static String reasonColumn(String reason) {
        String bounded = reason.length() > 2000 ? reason.substring(0, 2000) : reason;
        return bounded.replace("\u0000", "\\u0000");
    }
}
