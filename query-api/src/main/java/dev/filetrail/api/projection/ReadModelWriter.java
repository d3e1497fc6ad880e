package dev.filetrail.api.projection;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.StoredKey;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.HistoryOrder;
import dev.filetrail.events.share.ShareLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
    private final Map<String, AuditRow> audits = new LinkedHashMap<>();
    private final List<Reject> rejects = new ArrayList<>();
    /** Every applied file-version record in offset order: the change feed keeps each, not only the last per row. */
    private final List<ChangeRow> changes = new ArrayList<>();

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
        int[] json = fieldsAsWritten(record.value(), "version", "head");
        changes.add(new ChangeRow(record, change, json));
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
        if (!audits.containsKey(event.id())) {
            // The record's bytes are the event's JSON already: kept as they came, not written again.
            audits.put(event.id(), new AuditRow(event, record.value(), fileOf(event)));
        }
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

    /** The share links this batch writes (known before it is written; told to listeners once it committed). */
    List<ShareLink> projectedLinks() {
        List<ShareLink> written = new ArrayList<>();
        links.values().forEach(l -> {
            if (l != null) {
                written.add(l);
            }
        });
        return written;
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

    /**
     * Writes every pending row on {@code connection}, inside the caller's transaction: per table, the batch's rows by
     * {@code COPY} into a staging table, then one set-based merge.
     */
    void flush(Connection connection) throws SQLException {
        List<VersionRow> versions = new ArrayList<>(versionUpserts.size() + versionDeletes.size());
        List<VersionRow> marks = new ArrayList<>();
        versionUpserts.forEach((pk, v) -> versions.add(new VersionRow(pk, v, null)));
        // A removal keeps the row, as it was, marked removed; one whose record carries no version only marks it. A
        // version written again (S3's reused "null" version) is present again.
        versionDeletes.forEach((pk, removal) -> (removal.version() == null ? marks : versions)
                .add(new VersionRow(pk, removal.version(), removal)));
        List<FileHead> headRows = new ArrayList<>();
        List<List<String>> headsGone = new ArrayList<>();
        heads.forEach((pk, head) -> {
            if (head == null) {
                headsGone.add(pk);
            } else {
                headRows.add(head);
            }
        });
        List<ShareLink> linkRows = new ArrayList<>();
        List<String> linksGone = new ArrayList<>();
        links.forEach((id, link) -> {
            if (link == null) {
                linksGone.add(id);
            } else {
                linkRows.add(link);
            }
        });
        List<StagedTable<?>> used = new ArrayList<>();
        addIf(used, VERSIONS, versions);
        addIf(used, VERSION_MARKS, marks);
        addIf(used, CHANGES, changes);
        addIf(used, HEADS, headRows);
        addIf(used, HEADS_GONE, headsGone);
        addIf(used, LINKS, linkRows);
        addIf(used, LINKS_GONE, linksGone);
        addIf(used, AUDIT, audits.values());
        if (!used.isEmpty()) {
            // One round trip makes the staging tables a session lacks (a new connection, or one whose backend was
            // replaced); for the others PostgreSQL's "already exists, skipping" notice is not worth sending.
            StringBuilder create = new StringBuilder("SET LOCAL client_min_messages = warning");
            for (StagedTable<?> table : used) {
                create.append(";\n").append(table.createStaging());
            }
            try (Statement s = connection.createStatement()) {
                s.execute(create.toString());
            }
        }
        VERSIONS.write(connection, versions);
        VERSION_MARKS.write(connection, marks);
        CHANGES.write(connection, changes);
        HEADS.write(connection, headRows);
        HEADS_GONE.write(connection, headsGone);
        LINKS.write(connection, linkRows);
        LINKS_GONE.write(connection, linksGone);
        AUDIT.write(connection, audits.values());
        writeRejects(connection);
    }

    private static void addIf(List<StagedTable<?>> used, StagedTable<?> table, Collection<?> rows) {
        if (!rows.isEmpty()) {
            used.add(table);
        }
    }

    /** One file_versions row: the version as the record carries it, and its removal when it was removed. */
    private record VersionRow(List<String> pk, FileVersion version, Removal removal) {
    }

    /** One change-feed row: the applied record, what it says, and its version and head as JSON. */
    private record ChangeRow(ConsumerRecord<String, byte[]> record, FileVersionChange change, int[] json) {
        /** The {@code i}-th field {@link #fieldsAsWritten} looked for, as it is in the record's bytes. */
        void write(int i, CopyText out) throws SQLException {
            out.utf8(json[2 * i] < 0 ? null : record.value(), json[2 * i], json[2 * i + 1]);
        }
    }

    /**
     * Where top-level fields of a record's JSON value are in its bytes, {@code [from, to)} per name, -1 when absent or
     * null: the change
     * feed's {@code version} and {@code head} columns are the record's own JSON, so it is cut out of the bytes rather
     * than written again from what was decoded (readers decode it into the same types either way).
     */
    static int[] fieldsAsWritten(byte[] value, String... names) {
        int[] found = new int[2 * names.length];
        Arrays.fill(found, -1);
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("record value is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                int index = List.of(names).indexOf(name);
                if (index < 0 || token == JsonToken.VALUE_NULL) {
                    parser.skipChildren();
                    continue;
                }
                int start = (int) parser.getTokenLocation().getByteOffset();
                if (token.isStructStart()) {
                    parser.skipChildren();
                } else {
                    // A scalar's text is read lazily: read to its end, so the location is past it.
                    parser.finishToken();
                }
                int end = (int) parser.getCurrentLocation().getByteOffset();
                found[2 * index] = start;
                found[2 * index + 1] = end;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("record value is not valid JSON: " + e.getMessage(), e);
        }
        return found;
    }

    /** One audit row: the event, and its JSON as it arrived (what the {@code event} column keeps). */
    private record AuditRow(CloudEvent event, byte[] json, String[] file) {
    }

    private static final StagedTable<VersionRow> VERSIONS = StagedTable.<VersionRow>of("file_versions", "versions",
                    StagedTable.Merge.UPSERT, "bucket", "key", "version_id")
            .column("bucket", (r, o) -> o.text(r.pk().get(0)))
            .column("key", (r, o) -> o.text(StoredKey.toColumn(r.pk().get(1))))
            .column("version_id", (r, o) -> o.text(r.pk().get(2)))
            .column("ordering", (r, o) -> o.text(HistoryOrder.key(r.version().sequencer(), r.version().createdAt())))
            .column("sequencer", (r, o) -> o.text(r.version().sequencer()))
            .column("delete_marker", (r, o) -> o.bool(r.version().deleteMarker()))
            .column("size", (r, o) -> o.number(r.version().size()))
            .column("e_tag", (r, o) -> o.text(r.version().eTag()))
            .column("storage_class", (r, o) -> o.text(r.version().storageClass()))
            .column("created_at", (r, o) -> o.time(r.version().createdAt(), "createdAt"))
            .column("requester", (r, o) -> o.text(r.version().requester()))
            .column("content_type", (r, o) -> o.text(r.version().derivatives() == null ? null
                    : r.version().derivatives().contentType()))
            .column("restore", (r, o) -> o.text(json(r.version().restore())))
            .column("tags_changed_at", (r, o) -> o.time(r.version().tagsChangedAt(), "tagsChangedAt"))
            .column("derivatives", (r, o) -> o.text(json(r.version().derivatives())))
            .column("removed_at", (r, o) -> o.time(r.removal() == null ? null : r.removal().at(), "removedAt"))
            .column("removed_reason", (r, o) -> o.text(r.removal() == null ? null : r.removal().reason()))
            .column("tags", (r, o) -> o.text(json(r.version().tags())))
            .column("tags_fetched_at", (r, o) -> o.time(r.version().tagsFetchedAt(), "tagsFetchedAt"))
            .computed("updated_at", "now()")
            .build();

    /** A removal whose record carries no version: the row keeps what it had and is only marked removed. */
    private static final StagedTable<VersionRow> VERSION_MARKS = StagedTable.<VersionRow>of("file_versions",
                    "version_marks", StagedTable.Merge.UPDATE, "bucket", "key", "version_id")
            .column("bucket", (r, o) -> o.text(r.pk().get(0)))
            .column("key", (r, o) -> o.text(StoredKey.toColumn(r.pk().get(1))))
            .column("version_id", (r, o) -> o.text(r.pk().get(2)))
            .column("removed_at", (r, o) -> o.time(r.removal().at(), "removedAt"))
            .column("removed_reason", (r, o) -> o.text(r.removal().reason()))
            .computed("updated_at", "now()")
            .build();

    /** The change feed's rows; a record applied again (a retried reject) keeps its first row. */
    private static final StagedTable<ChangeRow> CHANGES = StagedTable.<ChangeRow>of("changes", "changes",
                    StagedTable.Merge.INSERT_NEW, "topic_partition", "record_offset")
            .column("topic_partition", (r, o) -> o.number(r.record().partition()))
            .column("record_offset", (r, o) -> o.number(r.record().offset()))
            .column("bucket", (r, o) -> o.text(r.change().bucket()))
            .column("key", (r, o) -> o.text(StoredKey.toColumn(r.change().key())))
            .column("version_id", (r, o) -> o.text(r.change().versionId()))
            .column("change", (r, o) -> o.text(r.change().change().name()))
            .column("version", (r, o) -> r.write(0, o))
            .column("head", (r, o) -> r.write(1, o))
            .column("event_time", (r, o) -> o.time(r.change().eventTime(), "eventTime"))
            .build();

    private static final StagedTable<FileHead> HEADS = StagedTable.<FileHead>of("files", "heads",
                    StagedTable.Merge.UPSERT, "bucket", "key")
            .column("bucket", (h, o) -> o.text(h.bucket()))
            .column("key", (h, o) -> o.text(StoredKey.toColumn(h.key())))
            .column("deleted", (h, o) -> o.bool(h.deleted()))
            .column("current_version_id", (h, o) -> o.text(h.currentVersionId()))
            .column("latest_version_id", (h, o) -> o.text(h.latestVersionId()))
            .column("version_count", (h, o) -> o.number(h.versionCount()))
            .column("delete_marker_count", (h, o) -> o.number(h.deleteMarkerCount()))
            .column("size", (h, o) -> o.number(h.size()))
            .column("e_tag", (h, o) -> o.text(h.eTag()))
            .column("content_type", (h, o) -> o.text(h.contentType()))
            .column("storage_class", (h, o) -> o.text(h.storageClass()))
            .column("last_modified", (h, o) -> o.time(h.lastModified(), "lastModified"))
            .build();

    private static final StagedTable<List<String>> HEADS_GONE = StagedTable.<List<String>>of("files", "heads_gone",
                    StagedTable.Merge.DELETE, "bucket", "key")
            .column("bucket", (pk, o) -> o.text(pk.get(0)))
            .column("key", (pk, o) -> o.text(StoredKey.toColumn(pk.get(1))))
            .build();

    private static final StagedTable<ShareLink> LINKS = StagedTable.<ShareLink>of("share_links", "links",
                    StagedTable.Merge.UPSERT, "link_id")
            .column("link_id", (l, o) -> o.text(l.linkId()))
            .column("bucket", (l, o) -> o.text(l.bucket()))
            .column("key", (l, o) -> o.text(StoredKey.toColumn(l.key())))
            .column("token_sha256", (l, o) -> o.text(l.tokenSha256()))
            .column("pinned_version_id", (l, o) -> o.text(l.pinnedVersionId()))
            .column("resolved_version_id", (l, o) -> o.text(l.resolvedVersionId()))
            .column("status", (l, o) -> o.text(l.status().name()))
            .column("status_reason", (l, o) -> o.text(StoredKey.toColumn(l.statusReason())))
            .column("expires_at", (l, o) -> o.time(l.expiresAt(), "expiresAt"))
            .column("password_hash", (l, o) -> o.text(l.passwordHash()))
            .column("allow_download", (l, o) -> o.bool(l.allowDownload()))
            .column("created_by", (l, o) -> o.text(l.createdBy()))
            .column("created_at", (l, o) -> o.time(l.createdAt(), "createdAt"))
            .column("revoked_at", (l, o) -> o.time(l.revokedAt(), "revokedAt"))
            .column("revoked_by", (l, o) -> o.text(l.revokedBy()))
            .column("access_count", (l, o) -> o.number(l.accessCount()))
            .column("last_access_at", (l, o) -> o.time(l.lastAccessAt(), "lastAccessAt"))
            .column("last_command_id", (l, o) -> o.text(l.lastCommandId()))
            .column("updated_at", (l, o) -> o.time(l.updatedAt(), "updatedAt"))
            .build();

    private static final StagedTable<String> LINKS_GONE = StagedTable.<String>of("share_links", "links_gone",
                    StagedTable.Merge.DELETE, "link_id")
            .column("link_id", (id, o) -> o.text(id))
            .build();

    private static final StagedTable<AuditRow> AUDIT = StagedTable.<AuditRow>of("audit_events", "audit",
                    StagedTable.Merge.INSERT_NEW, "id")
            .column("id", (a, o) -> o.text(a.event().id()))
            .column("type", (a, o) -> o.text(a.event().type()))
            .column("source", (a, o) -> o.text(a.event().source()))
            .column("subject", (a, o) -> o.text(StoredKey.toColumn(a.event().subject())))
            .column("time", (a, o) -> o.time(a.event().time(), "time"))
            .column("bucket", (a, o) -> o.text(a.file()[0]))
            .column("key", (a, o) -> o.text(StoredKey.toColumn(a.file()[1])))
            .column("event", (a, o) -> o.utf8(a.json(), 0, a.json().length))
            .build();

    private static String json(Object value) {
        return value == null ? null : Json.writeString(value);
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

    /** A reason as the rejects table keeps it: bounded, and without U+0000 (a decoder may quote the bad input). */
    static String reasonColumn(String reason) {
        String bounded = reason.length() > 2000 ? reason.substring(0, 2000) : reason;
        return bounded.replace("\u0000", "\\u0000");
    }
}
