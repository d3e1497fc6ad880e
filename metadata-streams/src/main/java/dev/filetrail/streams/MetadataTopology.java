package dev.filetrail.streams;

import dev.filetrail.events.Codec;
import dev.filetrail.events.CodecSerde;
import dev.filetrail.events.Topics;
import dev.filetrail.streams.audit.AuditEvents;
import dev.filetrail.streams.deadletters.ApplyFailureHandler;
import dev.filetrail.streams.deadletters.DeadLetterRecorder;
import dev.filetrail.streams.deadletters.DecodeFailureHandler;
import dev.filetrail.streams.deadletters.OutputFailureHandler;
import dev.filetrail.streams.history.Parked;
import dev.filetrail.streams.history.VersionStore;
import dev.filetrail.streams.shares.ShareLinks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds Filetrail's one Processor API topology: object events, processing results, share commands and access
 * events (all keyed
 * {@code bucket/key}, co-partitioned) into one processor with RocksDB stores, out to history, heads, share links
 * and audit. What it cannot decode or apply goes to the dead-letter topic through the handlers of
 * {@link #errorHandling()}, which every runner of the topology must put into its streams settings.
 */
public final class MetadataTopology {
    public static final String PROCESSOR = "metadata";
    public static final String SINK_FILE_VERSIONS = "file-versions-sink";
    public static final String SINK_FILES = "files-sink";
    public static final String SINK_SHARE_LINKS = "share-links-sink";
    public static final String SINK_AUDIT = "audit-sink";

    private final AuditEvents audit;
    private final Duration dedupeHorizon;
    private final OutputTopics outputs;
    private final ProcessingMetrics metrics;
    private final DeadLetterRecorder deadLetters;

    public MetadataTopology(String auditSource, Duration dedupeHorizon, OutputTopics outputs, MeterRegistry registry) {
        this.audit = new AuditEvents(auditSource);
        this.dedupeHorizon = dedupeHorizon;
        this.outputs = outputs;
        this.metrics = new ProcessingMetrics(registry);
        this.deadLetters = new DeadLetterRecorder(outputs.deadLetters(), registry, metrics);
    }

    /** The topology a configuration runs. */
    public static MetadataTopology of(MetadataStreamsConfig config, MeterRegistry registry) {
        return new MetadataTopology(config.auditSource(), config.dedupeHorizon(), config.outputTopics(), registry);
    }

    /** Standard topics and a throw-away registry: what a TopologyTestDriver test wants. */
    public static MetadataTopology forTests(String auditSource) {
        return new MetadataTopology(auditSource, MetadataStreamsConfig.DEFAULT_DEDUPE_HORIZON, OutputTopics.standard(),
                new SimpleMeterRegistry());
    }

    public ProcessingMetrics metrics() {
        return metrics;
    }

    public DeadLetterRecorder deadLetters() {
        return deadLetters;
    }

    /**
     * The streams settings that park what the topology cannot decode, apply or write on the dead-letter topic: the
     * three exception handlers and the recorder they share.
     */
    public Map<String, Object> errorHandling() {
        return Map.of(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DecodeFailureHandler.class,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ApplyFailureHandler.class,
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OutputFailureHandler.class,
                // No global stores here; set so Kafka Streams does not warn that the handler skips them.
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true,
                DeadLetterRecorder.CONFIG, deadLetters);
    }

    public Topology build() {
        Topology topology = new Topology();
        StringDeserializer keys = new StringDeserializer();
        topology.addSource("object-events-source", keys, InputDeserializer.of(Topics.OBJECT_EVENTS),
                Topics.OBJECT_EVENTS.name());
        topology.addSource("processing-results-source", keys, InputDeserializer.of(Topics.PROCESSING_RESULTS),
                Topics.PROCESSING_RESULTS.name());
        topology.addSource("share-commands-source", keys, InputDeserializer.of(Topics.SHARE_COMMANDS),
                Topics.SHARE_COMMANDS.name());
        topology.addSource("access-events-source", keys, InputDeserializer.of(Topics.ACCESS_EVENTS),
                Topics.ACCESS_EVENTS.name());
        long horizonMs = dedupeHorizon.toMillis();
        topology.addProcessor(PROCESSOR, () -> new MetadataProcessor(audit, horizonMs, metrics),
                "object-events-source", "processing-results-source", "share-commands-source",
                "access-events-source");

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VersionStore.VERSIONS),
                Serdes.String(), Serdes.ByteArray()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VersionStore.INDEX),
                Serdes.String(), Serdes.String()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VersionStore.OBJECTS),
                Serdes.String(), Serdes.ByteArray()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VersionStore.PENDING),
                Serdes.String(), new CodecSerde<>(Codec.json(Parked.class))), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ShareLinks.LINKS),
                Serdes.String(), CodecSerde.values(Topics.SHARE_LINKS)), PROCESSOR);
        topology.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(SeenIds.STORE, dedupeHorizon, dedupeHorizon, false),
                Serdes.String(), Serdes.Long()), PROCESSOR);

        // The processor hands the sinks JSON it has already written (see MetadataProcessor).
        StringSerializer keySerializer = new StringSerializer();
        ByteArraySerializer valueSerializer = new ByteArraySerializer();
        topology.addSink(SINK_FILE_VERSIONS, outputs.fileVersions(), keySerializer, valueSerializer, PROCESSOR);
        topology.addSink(SINK_FILES, outputs.files(), keySerializer, valueSerializer, PROCESSOR);
        topology.addSink(SINK_SHARE_LINKS, outputs.shareLinks(), keySerializer, valueSerializer, PROCESSOR);
        topology.addSink(SINK_AUDIT, outputs.audit(), keySerializer, valueSerializer, PROCESSOR);
        return topology;
    }
}
