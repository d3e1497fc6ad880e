package dev.filetrail.events.history;

import static dev.filetrail.events.JsonFields.instant;
import static dev.filetrail.events.JsonFields.number;
import static dev.filetrail.events.JsonFields.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.filetrail.events.Json;
import dev.filetrail.events.JsonFields;
import java.io.IOException;
import java.util.Map;

/**
 * Writes {@link FileVersionChange} and {@link FileHead} as exactly the bytes {@link Json#write} produces, without
 * Jackson's bean machinery: the topology writes both for every event, and the reflective path was its largest
 * single cost (BENCHMARKS.md). The rare nested parts (derivatives, tags) still go through the mapper.
 * {@code HistoryWriterTest} holds the two byte-equal.
 */
public final class HistoryWriter {
    private static final ObjectWriter DERIVATIVES = Json.MAPPER.writerFor(FileVersion.Derivatives.class);
    private static final ObjectWriter TAGS = Json.MAPPER.writerFor(Map.class);
    private static final SerializableString CHANGE_ID = new SerializedString("changeId");
    private static final SerializableString CHANGE = new SerializedString("change");
    private static final SerializableString BUCKET = new SerializedString("bucket");
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString VERSION_ID = new SerializedString("versionId");
    private static final SerializableString VERSION = new SerializedString("version");
    private static final SerializableString HEAD = new SerializedString("head");
    private static final SerializableString CAUSE_EVENT_ID = new SerializedString("causeEventId");
    private static final SerializableString EVENT_TIME = new SerializedString("eventTime");
    private static final SerializableString REMOVAL_REASON = new SerializedString("removalReason");
    private static final SerializableString SEQUENCER = new SerializedString("sequencer");
    private static final SerializableString DELETE_MARKER = new SerializedString("deleteMarker");
    private static final SerializableString SIZE = new SerializedString("size");
    private static final SerializableString E_TAG = new SerializedString("eTag");
    private static final SerializableString STORAGE_CLASS = new SerializedString("storageClass");
    private static final SerializableString CREATED_AT = new SerializedString("createdAt");
    private static final SerializableString REQUESTER = new SerializedString("requester");
    private static final SerializableString CREATED_EVENT_ID = new SerializedString("createdEventId");
    private static final SerializableString RESTORE = new SerializedString("restore");
    private static final SerializableString STATUS = new SerializedString("status");
    private static final SerializableString EXPIRES_AT = new SerializedString("expiresAt");
    private static final SerializableString UPDATED_AT = new SerializedString("updatedAt");
    private static final SerializableString TAGS_CHANGED_AT = new SerializedString("tagsChangedAt");
    private static final SerializableString DERIVATIVES_FIELD = new SerializedString("derivatives");
    private static final SerializableString TAGS_FIELD = new SerializedString("tags");
    private static final SerializableString TAGS_FETCHED_AT = new SerializedString("tagsFetchedAt");
    private static final SerializableString DELETED = new SerializedString("deleted");
    private static final SerializableString CURRENT_VERSION_ID = new SerializedString("currentVersionId");
    private static final SerializableString VERSION_COUNT = new SerializedString("versionCount");
    private static final SerializableString DELETE_MARKER_COUNT = new SerializedString("deleteMarkerCount");
    private static final SerializableString CONTENT_TYPE = new SerializedString("contentType");
    private static final SerializableString LAST_MODIFIED = new SerializedString("lastModified");
    private static final SerializableString LATEST_VERSION_ID = new SerializedString("latestVersionId");

    private HistoryWriter() {
    }

    /** The change's JSON in UTF-8. */
    public static byte[] write(FileVersionChange change) {
        return JsonFields.bytes(change, HistoryWriter::change);
    }

    /** The head's JSON in UTF-8. */
    public static byte[] write(FileHead head) {
        return JsonFields.bytes(head, HistoryWriter::head);
    }

    private static void change(JsonGenerator g, FileVersionChange c) throws IOException {
        g.writeStartObject();
        string(g, CHANGE_ID, c.changeId());
        string(g, CHANGE, c.change() == null ? null : c.change().name());
        string(g, BUCKET, c.bucket());
        string(g, KEY, c.key());
        string(g, VERSION_ID, c.versionId());
        if (c.version() != null) {
            g.writeFieldName(VERSION);
            version(g, c.version());
        }
        if (c.head() != null) {
            g.writeFieldName(HEAD);
            head(g, c.head());
        }
        string(g, CAUSE_EVENT_ID, c.causeEventId());
        instant(g, EVENT_TIME, c.eventTime());
        string(g, REMOVAL_REASON, c.removalReason());
        g.writeEndObject();
    }

    private static void version(JsonGenerator g, FileVersion v) throws IOException {
        g.writeStartObject();
        string(g, BUCKET, v.bucket());
        string(g, KEY, v.key());
        string(g, VERSION_ID, v.versionId());
        string(g, SEQUENCER, v.sequencer());
        g.writeFieldName(DELETE_MARKER);
        g.writeBoolean(v.deleteMarker());
        number(g, SIZE, v.size());
        string(g, E_TAG, v.eTag());
        string(g, STORAGE_CLASS, v.storageClass());
        instant(g, CREATED_AT, v.createdAt());
        string(g, REQUESTER, v.requester());
        string(g, CREATED_EVENT_ID, v.createdEventId());
        FileVersion.Restore restore = v.restore();
        if (restore != null) {
            g.writeFieldName(RESTORE);
            g.writeStartObject();
            string(g, STATUS, restore.status());
            instant(g, EXPIRES_AT, restore.expiresAt());
            string(g, STORAGE_CLASS, restore.storageClass());
            instant(g, UPDATED_AT, restore.updatedAt());
            g.writeEndObject();
        }
        instant(g, TAGS_CHANGED_AT, v.tagsChangedAt());
        if (v.derivatives() != null) {
            g.writeFieldName(DERIVATIVES_FIELD);
            DERIVATIVES.writeValue(g, v.derivatives());
        }
        if (v.tags() != null) {
            g.writeFieldName(TAGS_FIELD);
            TAGS.writeValue(g, v.tags());
        }
        instant(g, TAGS_FETCHED_AT, v.tagsFetchedAt());
        g.writeEndObject();
    }

    private static void head(JsonGenerator g, FileHead h) throws IOException {
        g.writeStartObject();
        string(g, BUCKET, h.bucket());
        string(g, KEY, h.key());
        g.writeFieldName(DELETED);
        g.writeBoolean(h.deleted());
        string(g, CURRENT_VERSION_ID, h.currentVersionId());
        g.writeFieldName(VERSION_COUNT);
        g.writeNumber(h.versionCount());
        g.writeFieldName(DELETE_MARKER_COUNT);
        g.writeNumber(h.deleteMarkerCount());
        number(g, SIZE, h.size());
        string(g, E_TAG, h.eTag());
        string(g, CONTENT_TYPE, h.contentType());
        string(g, STORAGE_CLASS, h.storageClass());
        instant(g, LAST_MODIFIED, h.lastModified());
        string(g, LATEST_VERSION_ID, h.latestVersionId());
        g.writeEndObject();
    }
}
