package dev.filetrail.events.object;

import static dev.filetrail.events.JsonFields.instant;
import static dev.filetrail.events.JsonFields.number;
import static dev.filetrail.events.JsonFields.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.filetrail.events.Json;
import dev.filetrail.events.JsonFields;
import java.io.IOException;

/**
 * Writes an {@link ObjectEvent} as exactly the bytes {@link Json#write} produces (same field order, nulls left out,
 * same escaping), without Jackson's bean machinery: the bridge writes one per S3 event and the reflective path was
 * the largest single cost of translating one. {@code ObjectEventWriterTest} holds the two byte-equal.
 */
public final class ObjectEventWriter {
    private static final SerializableString EVENT_ID = new SerializedString("eventId");
    private static final SerializableString BUCKET = new SerializedString("bucket");
    private static final SerializableString KEY = new SerializedString("key");
    private static final SerializableString VERSION_ID = new SerializedString("versionId");
    private static final SerializableString SEQUENCER = new SerializedString("sequencer");
    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString EVENT_NAME = new SerializedString("eventName");
    private static final SerializableString SIZE = new SerializedString("size");
    private static final SerializableString E_TAG = new SerializedString("eTag");
    private static final SerializableString STORAGE_CLASS = new SerializedString("storageClass");
    private static final SerializableString EVENT_TIME = new SerializedString("eventTime");
    private static final SerializableString REGION = new SerializedString("region");
    private static final SerializableString REQUESTER = new SerializedString("requester");
    private static final SerializableString SOURCE_IP = new SerializedString("sourceIp");
    private static final SerializableString RESTORE_EXPIRY_TIME = new SerializedString("restoreExpiryTime");
    private static final SerializableString RESTORE_STORAGE_CLASS = new SerializedString("restoreStorageClass");
    private static final SerializableString ORIGIN = new SerializedString("origin");
    private static final SerializableString SOURCE = new SerializedString("source");
    private static final SerializableString SQS_MESSAGE_ID = new SerializedString("sqsMessageId");
    private static final SerializableString SNS_MESSAGE_ID = new SerializedString("snsMessageId");
    private static final SerializableString CONFIGURATION_ID = new SerializedString("configurationId");
    private static final SerializableString INGESTED_AT = new SerializedString("ingestedAt");

    private ObjectEventWriter() {
    }

    /** The event's JSON in UTF-8. */
    public static byte[] write(ObjectEvent event) {
        return JsonFields.bytes(event, ObjectEventWriter::write);
    }

    private static void write(JsonGenerator g, ObjectEvent event) throws IOException {
        g.writeStartObject();
        string(g, EVENT_ID, event.eventId());
        string(g, BUCKET, event.bucket());
        string(g, KEY, event.key());
        string(g, VERSION_ID, event.versionId());
        string(g, SEQUENCER, event.sequencer());
        string(g, TYPE, event.type() == null ? null : event.type().name());
        string(g, EVENT_NAME, event.eventName());
        number(g, SIZE, event.size());
        string(g, E_TAG, event.eTag());
        string(g, STORAGE_CLASS, event.storageClass());
        instant(g, EVENT_TIME, event.eventTime());
        string(g, REGION, event.region());
        string(g, REQUESTER, event.requester());
        string(g, SOURCE_IP, event.sourceIp());
        instant(g, RESTORE_EXPIRY_TIME, event.restoreExpiryTime());
        string(g, RESTORE_STORAGE_CLASS, event.restoreStorageClass());
        Origin origin = event.origin();
        if (origin != null) {
            g.writeFieldName(ORIGIN);
            g.writeStartObject();
            string(g, SOURCE, origin.source());
            string(g, SQS_MESSAGE_ID, origin.sqsMessageId());
            string(g, SNS_MESSAGE_ID, origin.snsMessageId());
            string(g, CONFIGURATION_ID, origin.configurationId());
            g.writeEndObject();
        }
        instant(g, INGESTED_AT, event.ingestedAt());
        g.writeEndObject();
    }
}
