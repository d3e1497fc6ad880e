package dev.filetrail.streams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one processor of the topology: reads the three co-partitioned inputs, drops ids already seen, hands each
 * record to version history or share links, and forwards what they emit to the four output sinks.
 */
final class MetadataProcessor implements Processor<String, byte[], String, Object>, Emitter {
    private static final Logger log = LoggerFactory.getLogger(MetadataProcessor.class);

    /** Longest stream time between sweeps of expired parked items (shorter when the horizon is). */
    private static final Duration PARKED_SWEEP_MAX_INTERVAL = Duration.ofHours(1);

    /** The shared mapper's configuration, with the fast path for the inputs' one timestamp form. */
    private static final ObjectMapper INPUT = Json.MAPPER.copy().registerModule(IsoInstants.module());
    private static final ObjectReader OBJECT_EVENTS = INPUT.readerFor(ObjectEvent.class);
    private static final ObjectReader RESULTS = INPUT.readerFor(ProcessingResult.class);
    private static final ObjectReader COMMANDS = INPUT.readerFor(ShareCommand.class);

    private final AuditEvents audit;
    private final long dedupeHorizonMs;
    private final ProcessingMetrics metrics;
    private ProcessorContext<String, Object> context;
    private VersionHistory history;
    private ShareLinks links;
    private VersionStore versions;
    private SeenIds seen;
    private long currentTimestamp;

    MetadataProcessor(AuditEvents audit, long dedupeHorizonMs, ProcessingMetrics metrics) {
        this.audit = audit;
        this.dedupeHorizonMs = dedupeHorizonMs;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.versions = new VersionStore(context.getStateStore(VersionStore.VERSIONS),
                context.getStateStore(VersionStore.INDEX), context.getStateStore(VersionStore.HEADS),
                context.getStateStore(VersionStore.PENDING), Duration.ofMillis(dedupeHorizonMs), this::parkedExpired);
        this.links = new ShareLinks(context.getStateStore(ShareLinks.LINKS), versions, this, audit);
        this.history = new VersionHistory(versions, this, audit, links);
        this.seen = new SeenIds(context.getStateStore(SeenIds.STORE), dedupeHorizonMs);
        // Stream time, not wall-clock: expiry then depends only on the log, so a rebuild of old records expires
        // exactly what the first run did instead of everything at once. The punctuator only reclaims space; the
        // same rule is applied when a version arrives (VersionStore.unpark), whenever the punctuations fall.
        context.schedule(Duration.ofMillis(Math.min(dedupeHorizonMs, PARKED_SWEEP_MAX_INTERVAL.toMillis())),
                PunctuationType.STREAM_TIME, streamTime -> versions.expireParked(streamTime));
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

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
        currentTimestamp = record.timestamp();
        versions.beginRecord(record.timestamp(), context.currentStreamTimeMs());
        Instant recordTime = Instant.ofEpochMilli(record.timestamp());
        String input = inputName(topic);
        try {
            if (record.value() == null) {
                throw new BadInputException("null value");
            }
            String outcome = switch (input) {
                case "object-events" -> objectEvent(record.key(), record.value(), recordTime);
                case "processing-results" -> result(record.key(), record.value(), recordTime);
                case "share-commands" -> command(record.key(), record.value(), recordTime);
                default -> throw new BadInputException("record from unexpected topic " + topic);
            };
            metrics.record(input, outcome);
        } catch (BadInputException e) {
            metrics.record(input, "rejected");
            RecordMetadata meta = context.recordMetadata().orElse(null);
            log.error("input record rejected topic={} partition={} offset={} key={} reason={}", topic,
                    meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(), record.key(),
                    e.getMessage());
        }
    }

    private String objectEvent(String recordKey, byte[] value, Instant recordTime) {
        ObjectEvent event = parse(value, OBJECT_EVENTS, ObjectEvent.class);
        requireObject(event.bucket(), event.key(), recordKey);
        if (event.eventId() == null || event.eventId().isBlank()) {
            event = withEventId(event);
        }
        // Creations and removals are idempotent by versionId (a repeat is a SAME_FACT and emits nothing), so only
        // the other facts, which would be emitted again, pay for the dedupe store.
        if (!event.type().carriesSequencer() && !seen.firstSighting("o:" + event.eventId(), currentTimestamp)) {
            return "duplicate";
        }
        return history.apply(event, recordTime).name().toLowerCase();
    }

    private String result(String recordKey, byte[] value, Instant recordTime) {
        ProcessingResult result = parse(value, RESULTS, ProcessingResult.class);
        requireObject(result.bucket(), result.key(), recordKey);
        String id = result.resultId() != null ? result.resultId()
                : EventIds.sha256Hex(String.valueOf(result.processor()), result.bucket(), result.key(),
                String.valueOf(result.versionId()), String.valueOf(result.processedAt()));
        if (!seen.firstSighting("r:" + id, currentTimestamp)) {
            return "duplicate";
        }
        return history.apply(result, recordTime).name().toLowerCase();
    }

    private String command(String recordKey, byte[] value, Instant recordTime) {
        ShareCommand command = parse(value, COMMANDS, ShareCommand.class);
        requireObject(command.bucket(), command.key(), recordKey);
        if (command.commandId() == null || command.commandId().isBlank()) {
            throw new BadInputException("share command has no commandId");
        }
        if (!seen.firstSighting("c:" + command.commandId(), currentTimestamp)) {
            return "duplicate";
        }
        return links.apply(command, recordTime).name().toLowerCase();
    }

    private static <T> T parse(byte[] value, ObjectReader reader, Class<T> type) {
        try {
            return reader.readValue(value);
        } catch (Exception e) {
            String text = new String(value, 0, Math.min(value.length, 200), StandardCharsets.UTF_8);
            throw new BadInputException("not a valid " + type.getSimpleName() + " (" + e.getMessage().lines()
                    .findFirst().orElse("") + "): " + text, e);
        }
    }

    /** The record key must be the value's bucket/key: co-partitioning of the three inputs depends on it. */
    private static void requireObject(String bucket, String key, String recordKey) {
        if (bucket == null || bucket.isEmpty() || key == null || key.isEmpty()) {
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

    static String inputName(String topic) {
        return switch (topic) {
            case Topics.OBJECT_EVENTS -> "object-events";
            case Topics.PROCESSING_RESULTS -> "processing-results";
            case Topics.SHARE_COMMANDS -> "share-commands";
            default -> "unknown";
        };
    }

    @Override
    public void versionChange(FileVersionChange change) {
        context.forward(new Record<>(change.recordKey(), change, currentTimestamp), MetadataTopology.SINK_FILE_VERSIONS);
    }

    @Override
    public void head(String objectKey, FileHead head) {
        context.forward(new Record<>(objectKey, head, currentTimestamp), MetadataTopology.SINK_FILES);
    }

    @Override
    public void link(ShareLink link) {
        context.forward(new Record<>(link.linkId(), link, currentTimestamp), MetadataTopology.SINK_SHARE_LINKS);
    }

    @Override
    public void audit(CloudEvent event) {
        RecordHeaders headers = new RecordHeaders();
        // Kafka protocol binding of CloudEvents, structured mode: the content type says the value is the event.
        headers.add("content-type", CloudEvent.STRUCTURED_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(event.subject(), (Object) event, currentTimestamp, headers),
                MetadataTopology.SINK_AUDIT);
    }
}
