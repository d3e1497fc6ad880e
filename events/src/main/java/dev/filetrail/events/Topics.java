package dev.filetrail.events;

import static dev.filetrail.events.kafka.KafkaRole.API;
import static dev.filetrail.events.kafka.KafkaRole.AUDIT_READER;
import static dev.filetrail.events.kafka.KafkaRole.JOURNAL;
import static dev.filetrail.events.kafka.KafkaRole.BRIDGE;
import static dev.filetrail.events.kafka.KafkaRole.STREAMS;

import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.audit.CloudEventWriter;
import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.history.HistoryWriter;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Filetrail's Kafka topics, each declared once with its codecs and retention: the contracts between the modules.
 * Adding a topic is one declaration here; the lists below, the topic setup and the checks derive from them.
 */
public final class Topics {
    private static final List<Topic<?, ?>> DECLARED = new ArrayList<>();

    public static final Topic<String, ObjectEvent> OBJECT_EVENTS = declare("filetrail.object-events.v1",
            Codec.json(ObjectEvent.class, ObjectEventWriter::write), Topic.Retention.FOREVER, true, BRIDGE, STREAMS, JOURNAL);
    public static final Topic<String, ProcessingResult> PROCESSING_RESULTS = declare(
            "filetrail.processing-results.v1", Codec.json(ProcessingResult.class), Topic.Retention.FOREVER, true,
            BRIDGE, STREAMS, JOURNAL);
    public static final Topic<String, ShareCommand> SHARE_COMMANDS = declare("filetrail.share-commands.v1",
            Codec.json(ShareCommand.class), Topic.Retention.FOREVER, true, API, STREAMS, JOURNAL);
    /** Signed URLs issued and share pages opened, written by the API, counted and audited by the streams. */
    public static final Topic<String, AccessEvent> ACCESS_EVENTS = declare("filetrail.access-events.v1",
            Codec.json(AccessEvent.class), Topic.Retention.FOREVER, true, API, STREAMS);
    public static final Topic<String, FileVersionChange> FILE_VERSIONS = declare("filetrail.file-versions.v1",
            Codec.json(FileVersionChange.class, HistoryWriter::write), Topic.Retention.FOREVER, false, STREAMS, API);
    public static final Topic<String, FileHead> FILES = declare("filetrail.files.v1",
            Codec.json(FileHead.class, HistoryWriter::write), Topic.Retention.COMPACTED, false, STREAMS, API, JOURNAL);
    public static final Topic<String, ShareLink> SHARE_LINKS = declare("filetrail.share-links.v1",
            Codec.json(ShareLink.class), Topic.Retention.COMPACTED, false, STREAMS, API);
    public static final Topic<String, CloudEvent> AUDIT = declare("filetrail.audit.v1",
            Codec.json(CloudEvent.class, CloudEventWriter::write), Topic.Retention.AUDIT, false, STREAMS, API, AUDIT_READER, JOURNAL);
    /** What the bridge could not read, kept whole; read back by the ops commands. */
    public static final Topic<String, DeadLetter> INGEST_DLQ = declare("filetrail.ingest-dlq.v1",
            Codec.json(DeadLetter.class), Topic.Retention.FOREVER, false, BRIDGE);
    /** What the topology could not decode, apply or write: the original key and value bytes, the reason in headers. */
    public static final Topic<String, byte[]> STREAMS_DLQ = declare("filetrail.streams-dlq.v1", Codec.bytes(),
            Topic.Retention.FOREVER, false, STREAMS);

    /** Every declared topic, in declaration order. */
    public static final List<Topic<?, ?>> DECLARATIONS = List.copyOf(DECLARED);

    /** Every topic's name. */
    public static final List<String> ALL = DECLARATIONS.stream().map(Topic::name).toList();

    /** Topics whose records are the latest state per key, so Kafka may compact them. */
    public static final List<String> COMPACTED = DECLARATIONS.stream().filter(Topic::compacted).map(Topic::name)
            .toList();

    /** The streams' inputs, all keyed {@code bucket/key}: their partition counts must be equal. */
    public static final List<String> CO_PARTITIONED = DECLARATIONS.stream().filter(Topic::coPartitioned)
            .map(Topic::name).toList();

    private Topics() {
    }

    /** A topic keyed by text; the ops role may read and write every topic besides its writer and readers. */
    private static <V> Topic<String, V> declare(String name, Codec<V> values, Topic.Retention retention,
                                                boolean coPartitioned, KafkaRole writer, KafkaRole... readers) {
        Topic<String, V> topic = new Topic<>(name, Codec.string(), values, retention, coPartitioned, writer,
                Set.of(readers));
        DECLARED.add(topic);
        return topic;
    }

    /** The declaration named {@code name}, if it is a Filetrail topic. */
    public static Optional<Topic<?, ?>> named(String name) {
        return DECLARATIONS.stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    /** The record key every per-object topic uses, so one object's records share a partition. */
    public static String objectKey(String bucket, String key) {
        return bucket + "/" + key;
    }
}
