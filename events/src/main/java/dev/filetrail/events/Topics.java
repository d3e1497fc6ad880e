package dev.filetrail.events;

import java.util.List;

/** Names of Filetrail's Kafka topics: the contracts between the modules. */
public final class Topics {
    public static final String OBJECT_EVENTS = "filetrail.object-events.v1";
    public static final String PROCESSING_RESULTS = "filetrail.processing-results.v1";
    public static final String SHARE_COMMANDS = "filetrail.share-commands.v1";
    /** Signed URLs issued and share pages opened, written by the API, counted and audited by the streams. */
    public static final String ACCESS_EVENTS = "filetrail.access-events.v1";
    public static final String FILE_VERSIONS = "filetrail.file-versions.v1";
    public static final String FILES = "filetrail.files.v1";
    public static final String SHARE_LINKS = "filetrail.share-links.v1";
    public static final String AUDIT = "filetrail.audit.v1";
    public static final String INGEST_DLQ = "filetrail.ingest-dlq.v1";
    public static final String STREAMS_DLQ = "filetrail.streams-dlq.v1";

    /** Topics whose records are the latest state per key, so Kafka may compact them. */
    public static final List<String> COMPACTED = List.of(FILES, SHARE_LINKS);

    public static final List<String> ALL = List.of(
            OBJECT_EVENTS, PROCESSING_RESULTS, SHARE_COMMANDS, ACCESS_EVENTS, FILE_VERSIONS, FILES, SHARE_LINKS, AUDIT,
            INGEST_DLQ, STREAMS_DLQ);

    /** The streams' inputs, all keyed {@code bucket/key}: their partition counts must be equal. */
    public static final List<String> CO_PARTITIONED = List.of(OBJECT_EVENTS, PROCESSING_RESULTS, SHARE_COMMANDS,
            ACCESS_EVENTS);

    private Topics() {
    }

    /** The record key every per-object topic uses, so one object's records share a partition. */
    public static String objectKey(String bucket, String key) {
        return bucket + "/" + key;
    }
}
