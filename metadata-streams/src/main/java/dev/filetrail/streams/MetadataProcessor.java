package dev.filetrail.streams;

import dev.filetrail.events.Codec;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.audit.AuditEvents;
import dev.filetrail.streams.history.Parked;
import dev.filetrail.streams.history.VersionHistory;
import dev.filetrail.streams.history.VersionStore;
import dev.filetrail.streams.shares.ShareLinks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one processor of the topology: takes the four co-partitioned inputs (decoded by {@link InputDeserializer}),
 * drops ids already seen, hands each record to version history or share links, and forwards what they emit to the
 * four output sinks. Outputs are serialized here and forwarded only once the record is fully applied: a record that
 * fails leaves no half of its outputs behind, and Kafka Streams still holds its original bytes for the dead letter
 * (it lets them go at the first forwarded output).
 */
final class MetadataProcessor implements Processor<String, Object, String, byte[]>, Emitter {
    private static final Logger log = LoggerFactory.getLogger(MetadataProcessor.class);

    /** Longest stream time between sweeps of expired parked items (shorter when the horizon is). */
    private static final Duration PARKED_SWEEP_MAX_INTERVAL = Duration.ofHours(1);


    private final AuditEvents audit;
    private final long dedupeHorizonMs;
    private final ProcessingMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private VersionHistory history;
    private ShareLinks links;
    private VersionStore versions;
    private SeenIds seen;
    private long currentTimestamp;
    /** The current record's outputs, serialized, with their sinks; forwarded when the record is done. */
    private final List<Output> outputs = new ArrayList<>();

    private record Output(String sink, Record<String, byte[]> record) {
    }

    MetadataProcessor(AuditEvents audit, long dedupeHorizonMs, ProcessingMetrics metrics) {
        this.audit = audit;
        this.dedupeHorizonMs = dedupeHorizonMs;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.versions = new VersionStore(context.getStateStore(VersionStore.VERSIONS),
                context.getStateStore(VersionStore.INDEX), context.getStateStore(VersionStore.OBJECTS),
                context.getStateStore(VersionStore.PENDING), Duration.ofMillis(dedupeHorizonMs), this::parkedExpired);
        this.links = new ShareLinks(context.getStateStore(ShareLinks.LINKS), versions, this, audit);
        this.history = new VersionHistory(versions, this, audit, links);
        this.seen = new SeenIds(context.getStateStore(SeenIds.STORE), dedupeHorizonMs);
        // Stream time, not wall-clock: expiry then depends only on the log, so a rebuild of old records expires
        // exactly what the first run did instead of everything at once. The punctuator only reclaims space; the
        // same rule is applied when a version arrives (VersionStore.unpark), whenever the punctuations fall.
        context.schedule(Duration.ofMillis(Math.min(dedupeHorizonMs, PARKED_SWEEP_MAX_INTERVAL.toMillis())),
                PunctuationType.STREAM_TIME, streamTime -> {
                    outputs.clear();
                    versions.expireParked(streamTime);
                    forwardOutputs();
                });
    }

    /** Counts and logs a parked item whose version did not arrive within the horizon; nothing is emitted. */
    private void parkedExpired(String objectKey, String versionId, Parked item) {
        boolean event = item.event() != null;
        metrics.record(event ? "object-events" : "processing-results", "expired");
        log.info("parked item expired bucket={} key={} versionId={} fact={} id={} parkedAt={} horizonMs={}",
                event ? item.event().bucket() : item.result().bucket(),
                event ? item.event().key() : item.result().key(), versionId,
                event ? item.event().type() : item.result().processor(),
                event ? item.event().eventId() : item.result().resultId(), item.parkedAt(), dedupeHorizonMs);
    }

    /**
     * Applies one input. A {@link BadInputException} (or any other failure of the record) propagates to Kafka
     * Streams' processing handler, which dead-letters the record; nothing of it has been forwarded by then.
     */
    @Override
    public void process(Record<String, Object> record) {
        outputs.clear();
        currentTimestamp = record.timestamp();
        versions.beginRecord(record.timestamp(), context.currentStreamTimeMs());
        Instant recordTime = Instant.ofEpochMilli(record.timestamp());
        Object value = record.value();
        String input;
        String outcome;
        if (value instanceof ObjectEvent event) {
            input = "object-events";
            outcome = objectEvent(record.key(), event, recordTime);
        } else if (value instanceof ProcessingResult result) {
            input = "processing-results";
            outcome = result(record.key(), result, recordTime);
        } else if (value instanceof ShareCommand command) {
            input = "share-commands";
            outcome = command(record.key(), command, recordTime);
        } else if (value instanceof AccessEvent event) {
            input = "access-events";
            outcome = access(record.key(), event, recordTime);
        } else {
            throw new BadInputException("no input type for a value of " + (value == null ? "null"
                    : value.getClass().getSimpleName()));
        }
        versions.endRecord();
        forwardOutputs();
        metrics.record(input, outcome);
    }

    // Each input is checked whole before anything is written, and its id is remembered only once it is applied:
    // a record that fails leaves no seen id behind, so re-applying it after a fix is not taken for a duplicate.

    private String objectEvent(String recordKey, ObjectEvent event, Instant recordTime) {
        requireObject(event.bucket(), event.key(), recordKey);
        VersionHistory.check(event);
        if (event.eventId() == null || event.eventId().isBlank()) {
            event = withEventId(event);
        }
        // Creations and removals are idempotent by versionId (a repeat is a SAME_FACT and emits nothing), so only
        // the other facts, which would be emitted again, pay for the dedupe store.
        String id = event.type().carriesSequencer() ? null : "o:" + event.eventId();
        if (id != null && seen.seen(id, currentTimestamp)) {
            return "duplicate";
        }
        String outcome = history.apply(event, recordTime).name().toLowerCase();
        if (id != null) {
            seen.remember(id, currentTimestamp);
        }
        return outcome;
    }

    private String result(String recordKey, ProcessingResult result, Instant recordTime) {
        requireObject(result.bucket(), result.key(), recordKey);
        VersionHistory.check(result);
        String id = "r:" + (result.resultId() != null ? result.resultId()
                : EventIds.sha256Hex(String.valueOf(result.processor()), result.bucket(), result.key(),
                String.valueOf(result.versionId()), String.valueOf(result.processedAt())));
        return once(id, () -> history.apply(result, recordTime));
    }

    private String command(String recordKey, ShareCommand command, Instant recordTime) {
        requireObject(command.bucket(), command.key(), recordKey);
        requireId(command.commandId(), "share command has no commandId");
        ShareLinks.check(command);
        return once("c:" + command.commandId(), () -> links.apply(command, recordTime));
    }

    private String access(String recordKey, AccessEvent event, Instant recordTime) {
        if (event.type() != null && event.type().rewindJob()) {
            // A rewind job's events are keyed by its prefix, which is empty for a whole bucket.
            requireKeyed(event.bucket(), event.key(), recordKey);
        } else {
            requireObject(event.bucket(), event.key(), recordKey);
        }
        requireId(event.eventId(), "access event has no eventId");
        ShareLinks.check(event);
        return once("a:" + event.eventId(), () -> links.apply(event, recordTime));
    }

    private static void requireId(String id, String otherwise) {
        if (id == null || id.isBlank()) {
            throw new BadInputException(otherwise);
        }
    }

    /** Applies an input whose id was not seen within the horizon, and remembers the id once it is applied. */
    private String once(String id, Supplier<? extends Enum<?>> apply) {
        if (seen.seen(id, currentTimestamp)) {
            return "duplicate";
        }
        String outcome = apply.get().name().toLowerCase();
        seen.remember(id, currentTimestamp);
        return outcome;
    }

    /** The record key must be the value's bucket/key: co-partitioning of the inputs depends on it. */
    private static void requireObject(String bucket, String key, String recordKey) {
        if (key == null || key.isEmpty()) {
            throw new BadInputException("bucket and key are required");
        }
        requireKeyed(bucket, key, recordKey);
    }

    /** As {@link #requireObject}, an empty key allowed. */
    private static void requireKeyed(String bucket, String key, String recordKey) {
        if (bucket == null || bucket.isEmpty() || key == null) {
            throw new BadInputException("bucket and key are required");
        }
        String expected = Topics.objectKey(bucket, key);
        if (!expected.equals(recordKey)) {
            throw new BadInputException("record key '" + recordKey + "' is not bucket/key '" + expected + "'");
        }
    }

    private static ObjectEvent withEventId(ObjectEvent e) {
        String id = EventIds.objectEventId(e.bucket(), e.key(), e.versionId(), e.sequencer(), e.eventName(),
                e.eventTime());
        return new ObjectEvent(id, e.bucket(), e.key(), e.versionId(), e.sequencer(), e.type(), e.eventName(),
                e.size(), e.eTag(), e.storageClass(), e.eventTime(), e.region(), e.requester(), e.sourceIp(),
                e.restoreExpiryTime(), e.restoreStorageClass(), e.origin(), e.ingestedAt());
    }

    @Override
    public void versionChange(FileVersionChange change) {
        emit(MetadataTopology.SINK_FILE_VERSIONS, change.recordKey(), Topics.FILE_VERSIONS.values(), change, null);
    }

    @Override
    public void head(String objectKey, FileHead head) {
        emit(MetadataTopology.SINK_FILES, objectKey, Topics.FILES.values(), head, null);
    }

    @Override
    public void link(ShareLink link) {
        emit(MetadataTopology.SINK_SHARE_LINKS, link.linkId(), Topics.SHARE_LINKS.values(), link, null);
    }

    @Override
    public void audit(CloudEvent event) {
        RecordHeaders headers = new RecordHeaders();
        // Kafka protocol binding of CloudEvents, structured mode: the content type says the value is the event.
        headers.add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        emit(MetadataTopology.SINK_AUDIT, event.subject(), Topics.AUDIT.values(), event, headers);
    }

    /** Serializes one output (a null value is a tombstone) and holds it until the record is done. */
    private <T> void emit(String sink, String key, Codec<T> codec, T value, Headers headers) {
        byte[] bytes;
        try {
            bytes = codec.encode(value);
        } catch (RuntimeException e) {
            Throwable reason = e.getCause() == null ? e : e.getCause();
            throw new BadInputException("its " + sink + " output cannot be written as JSON: " + reason.getMessage(), e);
        }
        outputs.add(new Output(sink, headers == null ? new Record<>(key, bytes, currentTimestamp)
                : new Record<>(key, bytes, currentTimestamp, headers)));
    }

    private void forwardOutputs() {
        for (Output output : outputs) {
            context.forward(output.record(), output.sink());
        }
        outputs.clear();
    }
}
