package dev.filetrail.streams;

import dev.filetrail.events.CodecSerde;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.history.Parked;
import dev.filetrail.streams.history.StoredVersion;
import dev.filetrail.streams.history.VersionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/** A TopologyTestDriver around the metadata topology, with typed inputs and drained outputs. */
public final class TopologyFixture implements AutoCloseable {
    public static final String SOURCE = "urn:filetrail:test";

    private final MetadataTopology topology = MetadataTopology.forTests(SOURCE);
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, byte[]> events;
    private final TestInputTopic<String, byte[]> results;
    private final TestInputTopic<String, byte[]> commands;
    private final TestInputTopic<String, byte[]> accesses;
    private final TestOutputTopic<String, FileVersionChange> versions;
    private final TestOutputTopic<String, FileHead> files;
    private final TestOutputTopic<String, ShareLink> links;
    private final TestOutputTopic<String, CloudEvent> audit;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private long clock = Facts.T0.toEpochMilli();

    public TopologyFixture() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metadata-ttd");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            Path dir = Files.createTempDirectory("metadata-ttd-");
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        props.putAll(topology.errorHandling());
        driver = new TopologyTestDriver(topology.build(), props);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer bytes = new ByteArraySerializer();
        events = driver.createInputTopic(Topics.OBJECT_EVENTS.name(), keys, bytes);
        results = driver.createInputTopic(Topics.PROCESSING_RESULTS.name(), keys, bytes);
        commands = driver.createInputTopic(Topics.SHARE_COMMANDS.name(), keys, bytes);
        accesses = driver.createInputTopic(Topics.ACCESS_EVENTS.name(), keys, bytes);
        StringDeserializer k = new StringDeserializer();
        versions = driver.createOutputTopic(Topics.FILE_VERSIONS.name(), k, CodecSerde.values(Topics.FILE_VERSIONS).deserializer());
        files = driver.createOutputTopic(Topics.FILES.name(), k, CodecSerde.values(Topics.FILES).deserializer());
        links = driver.createOutputTopic(Topics.SHARE_LINKS.name(), k, CodecSerde.values(Topics.SHARE_LINKS).deserializer());
        audit = driver.createOutputTopic(Topics.AUDIT.name(), k, CodecSerde.values(Topics.AUDIT).deserializer());
        deadLetters = driver.createOutputTopic(Topics.STREAMS_DLQ.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    public TopologyFixture send(ObjectEvent... es) {
        for (ObjectEvent e : es) {
            events.pipeInput(e.recordKey(), Topics.OBJECT_EVENTS.values().encode(e), ++clock);
        }
        return this;
    }

    public TopologyFixture send(ProcessingResult r) {
        results.pipeInput(r.recordKey(), Topics.PROCESSING_RESULTS.values().encode(r), ++clock);
        return this;
    }

    public TopologyFixture send(ShareCommand c) {
        commands.pipeInput(c.recordKey(), Topics.SHARE_COMMANDS.values().encode(c), ++clock);
        return this;
    }

    public TopologyFixture send(AccessEvent a) {
        accesses.pipeInput(a.recordKey(), Topics.ACCESS_EVENTS.values().encode(a), ++clock);
        return this;
    }

    /** Moves the record clock forward: the next input carries a timestamp this much later (stream time). */
    public TopologyFixture advance(java.time.Duration by) {
        clock += by.toMillis();
        return this;
    }

    /** The raw {@code versions} store (values as {@link dev.filetrail.streams.history.StateCodec} wrote them). */
    public KeyValueStore<String, byte[]> rawVersions() {
        return driver.getKeyValueStore(VersionStore.VERSIONS);
    }

    /** The raw {@code objects} store: per object its parked and link counts, while either is above zero. */
    public KeyValueStore<String, byte[]> rawObjects() {
        return driver.getKeyValueStore(VersionStore.OBJECTS);
    }

    /** Every item parked in the {@code pending} store. */
    public List<Parked> parked() {
        List<Parked> out = new ArrayList<>();
        KeyValueStore<String, Parked> pending = driver.getKeyValueStore(VersionStore.PENDING);
        try (var it = pending.all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    public void sendRaw(String topic, String key, byte[] value) {
        TestInputTopic<String, byte[]> in = topic.equals(Topics.OBJECT_EVENTS.name()) ? events
                : topic.equals(Topics.PROCESSING_RESULTS.name()) ? results
                : topic.equals(Topics.ACCESS_EVENTS.name()) ? accesses : commands;
        in.pipeInput(key, value, ++clock);
    }

    /** Pipes one record exactly as given (raw key and value bytes, headers) into an input topic. */
    public void pipe(String topic, TestRecord<byte[], byte[]> record) {
        driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(new TestRecord<>(record.key(), record.value(), record.headers(),
                        record.timestamp() != null ? record.timestamp() : ++clock));
    }

    /** The dead letters written so far (each read once). */
    public List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    public MetadataTopology topology() {
        return topology;
    }

    public List<FileVersionChange> changes() {
        return versions.readValuesToList();
    }

    /** Every files.v1 record in order, null values being tombstones. */
    public List<KeyValue<String, FileHead>> heads() {
        return files.readKeyValuesToList();
    }

    /** Latest head record per key (null for a tombstone). */
    public Map<String, FileHead> latestHeads() {
        Map<String, FileHead> out = new LinkedHashMap<>();
        heads().forEach(kv -> out.put(kv.key, kv.value));
        return out;
    }

    public List<ShareLink> links() {
        return links.readValuesToList();
    }

    public List<CloudEvent> audit() {
        return audit.readValuesToList();
    }

    public TestOutputTopic<String, CloudEvent> auditTopic() {
        return audit;
    }

    public FileHead storedHead(String objectKey) {
        return versionStore().head(objectKey);
    }

    /** The object's entries as the store holds them, oldest first. */
    public List<StoredVersion> storedVersions(String objectKey) {
        return new ArrayList<>(versionStore().all(objectKey));
    }

    /** A fresh view of the history stores, as the processor reads them. */
    public VersionStore versionStore() {
        return new VersionStore(driver.getKeyValueStore(VersionStore.VERSIONS),
                driver.getKeyValueStore(VersionStore.INDEX), driver.getKeyValueStore(VersionStore.OBJECTS),
                driver.getKeyValueStore(VersionStore.PENDING));
    }

    public ProcessingMetrics metrics() {
        return topology.metrics();
    }

    @Override
    public void close() {
        driver.close();
    }
}
