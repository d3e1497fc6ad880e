package dev.filetrail.events.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.audit.CloudEventWriter;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.history.HistoryWriter;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.events.object.Origin;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The topology's per-event codecs, each hand-written path beside Jackson's bean path for the same record, in one JMH
 * run (README, *Benchmarks*): what the stream thread pays to read an object event and write its three outputs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    private static final ObjectWriter CHANGE_BEANS = Json.MAPPER.writerFor(FileVersionChange.class);
    private static final ObjectWriter HEAD_BEANS = Json.MAPPER.writerFor(FileHead.class);
    private static final ObjectWriter CLOUD_EVENT_BEANS = Json.MAPPER.writerFor(CloudEvent.class);
    private static final ObjectReader OBJECT_EVENT_BEANS = Json.MAPPER.readerFor(ObjectEvent.class);

    // An S3-shaped new version: random 32-character versionId, 20-hex sequencer, MD5 ETag.
    private final Instant at = Instant.parse("2026-12-04T10:15:30.123Z");
    private final FileVersion version = new FileVersion("filetrail-photos", "users/4711/2026/IMG_0042.jpg",
            "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "0062F1A8B3C4D5E6F7", false, 2_483_117L,
            "9b2cf535f27731c974343645a3985328", "STANDARD", at, "AIDAJDPLRKLG7UEXAMPLE",
            "b7d1c0f4a1e2d3c4b5a6978877665544b7d1c0f4a1e2d3c4b5a6978877665544", null, null, null);
    private final FileHead head = new FileHead("filetrail-photos", "users/4711/2026/IMG_0042.jpg", false,
            version.versionId(), 3, 0, 2_483_117L, version.eTag(), null, "STANDARD", at, version.versionId());
    private final FileVersionChange change = new FileVersionChange(
            "c1f0e2d3b4a5968778695a4b3c2d1e0fc1f0e2d3b4a5968778695a4b3c2d1e0f", ChangeType.VERSION_CREATED,
            version.bucket(), version.key(), version.versionId(), version, head, version.createdEventId(), at);
    private final CloudEvent cloudEvent = cloudEvent();
    private final byte[] objectEvent = ObjectEventWriter.write(new ObjectEvent(version.createdEventId(),
            version.bucket(), version.key(), version.versionId(), version.sequencer(), ObjectEventType.VERSION_CREATED,
            "ObjectCreated:Put", version.size(), version.eTag(), "STANDARD", at, "eu-west-1", version.requester(),
            "203.0.113.7", null, null, new Origin(Origin.S3_NOTIFICATION, "2a8c6c1e-5b1f-4d7e-9a3b-0c4d5e6f7a8b",
            "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e", "filetrail-ingest"), at.plusMillis(850)));

    private CloudEvent cloudEvent() {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("bucket", version.bucket());
        data.put("key", version.key());
        data.put("versionId", version.versionId());
        data.put("sequencer", version.sequencer());
        data.put("deleteMarker", false);
        data.put("size", version.size());
        data.put("eTag", version.eTag());
        data.put("storageClass", version.storageClass());
        data.put("requester", version.requester());
        data.put("createdAt", at.toString());
        data.put("fileDeleted", false);
        data.put("currentVersionId", version.versionId());
        return new CloudEvent(CloudEvent.SPEC_VERSION, "5f0e1d2c3b4a59687766554433221100", "filetrail://metadata-streams",
                "dev.filetrail.version.created", "s3://filetrail-photos/users/4711/2026/IMG_0042.jpg", at,
                CloudEvent.CONTENT_TYPE, "https://filetrail.dev/schemas/audit/version-fact.v1.json", data);
    }

    @Benchmark
    public byte[] changeBeans() throws IOException {
        return CHANGE_BEANS.writeValueAsBytes(change);
    }

    @Benchmark
    public byte[] changeWriter() {
        return HistoryWriter.write(change);
    }

    @Benchmark
    public byte[] headBeans() throws IOException {
        return HEAD_BEANS.writeValueAsBytes(head);
    }

    @Benchmark
    public byte[] headWriter() {
        return HistoryWriter.write(head);
    }

    @Benchmark
    public byte[] cloudEventBeans() throws IOException {
        return CLOUD_EVENT_BEANS.writeValueAsBytes(cloudEvent);
    }

    @Benchmark
    public byte[] cloudEventWriter() {
        return CloudEventWriter.write(cloudEvent);
    }

    @Benchmark
    public ObjectEvent objectEventBeans() throws IOException {
        return OBJECT_EVENT_BEANS.readValue(objectEvent);
    }
}
