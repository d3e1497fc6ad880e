package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.embedded.kafka.TopicContents;
import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.kafka.OutboundRecord;
import dev.filetrail.embedded.LocalAws;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.object.EventIds;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import dev.filetrail.local.s3notify.S3Change;
import dev.filetrail.local.s3notify.S3EventJson;
import dev.filetrail.local.stack.ApiClient;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every operator command against one running local stack (real Kafka, PostgreSQL, S3, SQS and every service),
 * run in-process with the stack's service environment, as {@code filetrail <command>} would run beside it.
 * The order matters only for speed: later tests reuse the bucket the backfill test filled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsCommandsTest {
    private static final Duration IDLE = Duration.ofSeconds(90);

    @TempDir
    static Path output;
    private LocalStack stack;
    private Map<String, String> env;
    private S3Client s3;
    private Pipeline pipeline;
    private final String legacyBucket = "legacy-" + UUID.randomUUID().toString().substring(0, 8);
    private Instant startedAt;

    /** One command's outcome. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    @BeforeAll
    void start() {
        startedAt = Instant.now();
        stack = LocalStack.start(LocalStackConfig.ephemeral(output));
        env = stack.serviceEnvironment();
        s3 = Demo.s3Client(stack.endpoints());
        pipeline = new Pipeline(stack);
    }

    @AfterAll
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Order(0)
    void everyCommandHasHelpAndUsageErrorsExitTwo() {
        List<List<String>> commands = List.of(List.of("backfill"), List.of("replay"), List.of("rebuild"),
                List.of("reconcile"), List.of("dlq", "list"), List.of("dlq", "show"), List.of("dlq", "redrive"),
                List.of("keys", "create"), List.of("keys", "revoke"), List.of("keys", "list"),
                List.of("topics", "create"));
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Run help = run(args.toArray(String[]::new));
            assertThat(help.exit()).as("%s --help", command).isZero();
            assertThat(help.out()).as("%s --help", command).contains("Usage: filetrail " + String.join(" ", command))
                    .contains("--json");
        }
        assertThat(run("backfill", "--help").out()).contains("--dry-run").contains("--prefix");
        assertThat(run("reconcile").exit()).as("missing --bucket").isEqualTo(2);
        assertThat(run("rebuild", "--streams", "--projection").exit()).as("exclusive").isEqualTo(2);
        assertThat(run("dlq").exit()).isEqualTo(2);
        assertThat(run("replay", "--topic", "a", "--from", "yesterday-ish", "--into", "b").exit()).isEqualTo(2);
    }

    @Test
    @Order(1)
    void topicsCreateListsWhatExistsAndCreatesNothingTwice() {
        Run dry = run("topics", "create", "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(dry.json().path("created")).isEmpty();
        assertThat(dry.json().path("existing")).hasSize(Topics.ALL.size());
        Run real = run("topics", "create");
        assertThat(real.exit()).isZero();
        assertThat(real.out()).contains("exists").contains(Topics.OBJECT_EVENTS.name()).doesNotContain("created ");
    }

    @Test
    @Order(2)
    void backfillOfAThousandVersionsAndMarkersEqualsListObjectVersionsAndNeverDoubles() throws Exception {
        s3.createBucket(b -> b.bucket(legacyBucket));
        s3.putBucketVersioning(b -> b.bucket(legacyBucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        // 100 keys, 10 rounds; about one change in seven is a delete (a marker). Rounds interleave the keys, so two
        // versions of one key are never written in the same millisecond.
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < 100; k++) {
                String key = String.format("legacy/k%03d.txt", k);
                if ((k + round) % 7 == 3) {
                    s3.deleteObject(b -> b.bucket(legacyBucket).key(key));
                } else {
                    String body = key + " round " + round;
                    s3.putObject(b -> b.bucket(legacyBucket).key(key), RequestBody.fromString(body));
                }
            }
        }
        Listing listing = listing(legacyBucket);
        long total = listing.entries().size();
        assertThat(total).isGreaterThanOrEqualTo(1000);
        assertThat(listing.markers()).isGreaterThan(100);

        Run before = run("reconcile", "--bucket", legacyBucket, "--json", "--limit", "5");
        assertThat(before.exit()).as(before.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
        assertThat(before.json().path("byKind").path("MISSING_VERSION").asLong()).isEqualTo(total);

        Run dry = run("backfill", "--bucket", legacyBucket, "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(dry.json().path("produced").asLong()).isZero();
        assertThat(dry.json().path("versions").asLong() + dry.json().path("deleteMarkers").asLong()).isEqualTo(total);

        Run backfill = run("backfill", "--bucket", legacyBucket, "--json", "--page-size", "250");
        assertThat(backfill.exit()).as(backfill.err()).isZero();
        JsonNode summary = backfill.json();
        assertThat(summary.path("versions").asLong()).isEqualTo(total - listing.markers());
        assertThat(summary.path("deleteMarkers").asLong()).isEqualTo(listing.markers());
        assertThat(summary.path("produced").asLong()).isEqualTo(total);
        assertThat(summary.path("pages").asLong()).isGreaterThanOrEqualTo(4);

        pipeline.awaitIdle(IDLE);
        assertThat(readModelEntries(legacyBucket)).containsExactlyInAnyOrderElementsOf(listing.entries());
        assertThat(readModelLatest(legacyBucket)).isEqualTo(listing.latest());
        List<String> headsAfterFirst = heads(legacyBucket);
        List<String> auditAfterFirst = pipeline.query("SELECT count(*) FROM filetrail.audit_events WHERE bucket = '"
                + legacyBucket + "'");
        assertThat(run("reconcile", "--bucket", legacyBucket).exit()).isZero();

        Run again = run("backfill", "--bucket", legacyBucket, "--json");
        assertThat(again.exit()).isZero();
        assertThat(again.json().path("produced").asLong()).isEqualTo(total);
        pipeline.awaitIdle(IDLE);
        assertThat(readModelEntries(legacyBucket)).hasSize((int) total);
        assertThat(heads(legacyBucket)).as("counts and heads after a second backfill").isEqualTo(headsAfterFirst);
        assertThat(pipeline.query("SELECT count(*) FROM filetrail.audit_events WHERE bucket = '" + legacyBucket + "'"))
                .as("no new facts").isEqualTo(auditAfterFirst);
    }

    @Test
    @Order(3)
    void reconcileFindsInjectedDriftOfEveryKindAndRepairClearsIt() throws Exception {
        Set<String> known = new HashSet<>(listing(legacyBucket).entries());
        // 1. A version S3 has and Filetrail never heard of: written to the bucket, which sends no notifications.
        String missingKey = "legacy/k010.txt";
        String missingVersion = s3.putObject(b -> b.bucket(legacyBucket).key(missingKey),
                RequestBody.fromString("written while Filetrail was not listening")).versionId();
        // 2. A version S3 no longer has: an old version permanently deleted, with no notification.
        String goneKey = "legacy/k011.txt";
        ObjectVersion gone = listing(legacyBucket).versions().stream()
                .filter(v -> v.key().equals(goneKey) && !v.isLatest()).findFirst().orElseThrow();
        s3.deleteObject(b -> b.bucket(legacyBucket).key(goneKey).versionId(gone.versionId()));
        // 3. A phantom: an event for a version S3 never had (a forged or misrouted notification).
        String phantomKey = "legacy/k012.txt";
        String phantomVersion = "phantom-" + UUID.randomUUID();
        // 4. A wrong storage class: a transition event S3 never made.
        String classKey = "legacy/k013.txt";
        ObjectVersion classVersion = listing(legacyBucket).versions().stream()
                .filter(v -> v.key().equals(classKey)).findFirst().orElseThrow();
        Instant now = Instant.now();
        try (BridgeProducer producer = BridgeProducer.connect(KafkaClientSettings.fromEnvironment(env), 30_000, "drift")) {
            produce(producer, new ObjectEvent(EventIds.objectEventId(legacyBucket, phantomKey, phantomVersion, null,
                    "ObjectCreated:Put", now), legacyBucket, phantomKey, phantomVersion, null,
                    ObjectEventType.VERSION_CREATED, "ObjectCreated:Put", 5L, "abc", "STANDARD", now, "us-east-1",
                    null, null, null, null, Origin.of(Origin.S3_NOTIFICATION), now));
            produce(producer, new ObjectEvent(EventIds.objectEventId(legacyBucket, classKey, classVersion.versionId(),
                    null, "LifecycleTransition", now), legacyBucket, classKey, classVersion.versionId(), null,
                    ObjectEventType.STORAGE_CLASS_CHANGED, "LifecycleTransition", null, null, "GLACIER", now,
                    "us-east-1", null, null, null, null, Origin.of(Origin.S3_NOTIFICATION), now));
        }
        pipeline.awaitIdle(IDLE);
        // The SDK retries a PUT whose connection broke, and each attempt makes a version: count what S3 has.
        List<String> added = listing(legacyBucket).entries().stream().filter(e -> !known.contains(e)).toList();
        assertThat(added).isNotEmpty().allMatch(e -> e.startsWith(missingKey + " "));

        Run report = run("reconcile", "--bucket", legacyBucket, "--json");
        assertThat(report.exit()).as(report.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
        JsonNode byKind = report.json().path("byKind");
        assertThat(byKind.path("MISSING_VERSION").asLong()).as(report.out()).isEqualTo(added.size());
        assertThat(byKind.path("EXTRA_VERSION").asLong()).isEqualTo(2);
        assertThat(byKind.path("WRONG_STORAGE_CLASS").asLong()).isEqualTo(1);
        assertThat(byKind.path("WRONG_CURRENT_VERSION").asLong()).as("the new version and the phantom are newest")
                .isEqualTo(2);
        Set<String> found = new HashSet<>();
        report.json().path("differences").forEach(d -> found.add(d.path("kind").asText() + " "
                + d.path("key").asText() + " " + d.path("versionId").asText()));
        assertThat(found).contains("MISSING_VERSION " + missingKey + " " + missingVersion,
                "EXTRA_VERSION " + goneKey + " " + gone.versionId(),
                "EXTRA_VERSION " + phantomKey + " " + phantomVersion,
                "WRONG_STORAGE_CLASS " + classKey + " " + classVersion.versionId(),
                "WRONG_CURRENT_VERSION " + missingKey + " " + missingVersion);
        assertThat(run("reconcile", "--bucket", legacyBucket).out()).contains("missing").contains(phantomVersion)
                .contains("GLACIER");

        Run dry = run("reconcile", "--bucket", legacyBucket, "--repair", "--dry-run", "--json");
        assertThat(dry.exit()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
        assertThat(dry.json().path("repairEvents").asLong()).isZero();

        Run repair = run("reconcile", "--bucket", legacyBucket, "--repair", "--json");
        assertThat(repair.exit()).as(repair.err()).isZero();
        assertThat(repair.json().path("repairEvents").asLong()).isEqualTo(3 + added.size());
        pipeline.awaitIdle(IDLE);
        Run after = run("reconcile", "--bucket", legacyBucket, "--json");
        assertThat(after.exit()).as(after.out()).isZero();
        assertThat(after.json().path("differenceCount").asLong()).isZero();
        assertThat(readModelEntries(legacyBucket)).containsExactlyInAnyOrderElementsOf(listing(legacyBucket).entries());

        // A repeated repair of the same drift carries the same ids: readers drop it.
        List<String> audit = pipeline.query("SELECT count(*) FROM filetrail.audit_events WHERE bucket = '"
                + legacyBucket + "'");
        try (BridgeProducer producer = BridgeProducer.connect(KafkaClientSettings.fromEnvironment(env), 30_000, "again")) {
            produce(producer, new ObjectEvent(EventIds.objectEventId(legacyBucket, phantomKey, phantomVersion, null,
                    "Reconcile:VersionRemoved", null), legacyBucket, phantomKey, phantomVersion, null,
                    ObjectEventType.VERSION_REMOVED, "Reconcile:VersionRemoved", null, null, null, Instant.now(),
                    "us-east-1", null, null, null, null, Origin.of(Origin.RECONCILE), Instant.now()));
        }
        pipeline.awaitIdle(IDLE);
        assertThat(pipeline.query("SELECT count(*) FROM filetrail.audit_events WHERE bucket = '" + legacyBucket + "'"))
                .isEqualTo(audit);
    }

    @Test
    @Order(4)
    void projectionRebuildGivesIdenticalRows() throws Exception {
        pipeline.awaitIdle(IDLE);
        List<String> before = readModelSnapshot();
        assertThat(before).hasSizeGreaterThan(1000);

        Run dry = run("rebuild", "--projection", "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(dry.json().path("switched").asBoolean()).isFalse();
        assertThat(dry.json().path("records").asLong()).isPositive();
        assertThat(pipeline.query("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE "
                + "'filetrail\\_re%'")).as("a dry run creates no schema").isEmpty();

        Run rebuild = run("rebuild", "--projection", "--json");
        assertThat(rebuild.exit()).as(rebuild.err()).isZero();
        assertThat(rebuild.json().path("switched").asBoolean()).isTrue();
        // The dry run counts offsets, transaction markers included: an upper bound of the records read.
        assertThat(rebuild.json().path("records").asLong()).isPositive()
                .isLessThanOrEqualTo(dry.json().path("records").asLong());
        String retired = rebuild.json().path("retiredSchema").asText();
        assertThat(pipeline.query("SELECT schema_name FROM information_schema.schemata WHERE schema_name = '"
                + retired + "'")).hasSize(1);
        assertThat(readModelSnapshot()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void streamsRebuildUnderANewApplicationIdGivesIdenticalHeads() throws Exception {
        pipeline.awaitIdle(IDLE);
        String suffix = ".rebuilt";
        Run rebuild = run("rebuild", "--streams", "--application-id", "filetrail-metadata-streams-ops-test-rebuild", "--output-suffix", suffix,
                "--timeout", "PT3M", "--json");
        assertThat(rebuild.exit()).as(rebuild.err()).isZero();
        assertThat(rebuild.json().path("caughtUp").asBoolean()).isTrue();
        assertThat(rebuild.json().path("lag").asLong()).isZero();
        Map<String, String> live = latestPerKey(Topics.FILES.name());
        Map<String, String> rebuilt = latestPerKey(Topics.FILES.name() + suffix);
        assertThat(live).hasSizeGreaterThanOrEqualTo(100);
        assertThat(rebuilt).isEqualTo(live);
    }

    @Test
    @Order(6)
    void replayOfAWindowEqualsTheOriginalRecords() throws Exception {
        String target = "filetrail.ops-test.object-events-replay";
        Instant to = Instant.now();
        Run dryMissing = run("replay", "--topic", Topics.OBJECT_EVENTS.name(), "--from", startedAt.toString(),
                "--to", to.toString(), "--into", target, "--create-target", "--dry-run");
        assertThat(dryMissing.exit()).isEqualTo(1);
        assertThat(dryMissing.err()).contains("does not exist");

        Run replay = run("replay", "--topic", Topics.OBJECT_EVENTS.name(), "--from", startedAt.toString(),
                "--to", to.toString(), "--into", target, "--create-target", "--json");
        assertThat(replay.exit()).as(replay.err()).isZero();
        Map<Integer, List<String>> original = records(Topics.OBJECT_EVENTS.name(), startedAt, to);
        Map<Integer, List<String>> copy = records(target, Instant.EPOCH, Instant.now().plusSeconds(60));
        long originalCount = original.values().stream().mapToLong(List::size).sum();
        assertThat(originalCount).isGreaterThanOrEqualTo(2000);
        assertThat(replay.json().path("copied").asLong()).isEqualTo(originalCount);
        assertThat(copy).isEqualTo(original);
        // The copy keeps the source's "forever": replayed records carry their original, possibly old, timestamps.
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClientSettings.fromEnvironment(env).newAdmin()) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, target);
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms").value())
                    .isEqualTo("-1");
        }

        Run dry = run("replay", "--topic", Topics.OBJECT_EVENTS.name(), "--from", startedAt.toString(), "--to", to.toString(),
                "--into", target, "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(dry.json().path("copied").asLong()).isEqualTo(originalCount);
        assertThat(records(target, Instant.EPOCH, Instant.now().plusSeconds(60))).as("a dry run writes nothing")
                .isEqualTo(copy);
    }

    @Test
    @Order(7)
    void deadLettersAreListedShownAndRedrivenIntoTheHistory() throws Exception {
        String queueUrl = stack.endpoints().ingestQueueUrl();
        String garbage = "not an S3 notification " + UUID.randomUUID();
        try (SqsClient sqs = testSqs()) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(garbage));
        }
        JsonNode listed = awaitJson(() -> run("dlq", "list", "--source", "ingest", "--json"),
                j -> source(j, "ingest").path("count").asLong() >= 1);
        assertThat(listed.path("sources")).hasSize(1);
        JsonNode letter = listed.path("letters").get(0);
        assertThat(letter.path("source").asText()).isEqualTo("ingest");
        String garbageId = letter.path("id").asText();
        Run show = run("dlq", "show", garbageId, "--json");
        assertThat(show.exit()).isZero();
        assertThat(show.json().path("rawBody").asText()).isEqualTo(garbage);
        assertThat(run("dlq", "show", "no-such-letter").exit()).isEqualTo(1);
        assertThat(run("dlq", "list", "--source", "elsewhere").exit()).isEqualTo(2);

        // A letter an older, stricter parser parked: its body is a valid notification the fixed bridge accepts.
        String bucket = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "parked by an old parser.txt";
        DeadLetter parked = DeadLetter.of("unsupported eventVersion (parser before the fix)",
                notification(bucket, key, "v-redriven-1", "0055AED6DCD90281E5"), "sqs-" + UUID.randomUUID(), null,
                queueUrl, 1, Instant.now());
        try (BridgeProducer producer = BridgeProducer.connect(KafkaClientSettings.fromEnvironment(env), 30_000, "dlq-test")) {
            producer.send(new OutboundRecord(Topics.INGEST_DLQ.name(), parked.id(), Json.write(parked), "test")).get();
        }

        Run dry = run("dlq", "redrive", "--source", "ingest", "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(source(dry.json(), "ingest").path("redriven").asLong()).isEqualTo(2);
        assertThat(source(dry.json(), "ingest").path("ids")).extracting(JsonNode::asText)
                .contains(garbageId, parked.id());

        Run redrive = run("dlq", "redrive", "--source", "ingest", "--json");
        assertThat(redrive.exit()).as(redrive.err()).isZero();
        assertThat(source(redrive.json(), "ingest").path("redriven").asLong()).as("the dry run committed nothing")
                .isEqualTo(2);

        JsonNode history = api().await(Demo.versionsPath(bucket, key), j -> j.path("versions").size() == 1,
                Duration.ofSeconds(60));
        assertThat(history.path("versions").get(0).path("versionId").asText()).isEqualTo("v-redriven-1");
        assertThat(history.path("versions").get(0).path("size").asLong()).isEqualTo(42);

        Run next = run("dlq", "redrive", "--source", "ingest", "--dry-run", "--json");
        assertThat(source(next.json(), "ingest").path("alreadyRedriven").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(source(next.json(), "ingest").path("ids")).extracting(JsonNode::asText).doesNotContain(parked.id());
        // The garbage is still garbage: the bridge parks it again, as a new letter.
        awaitJson(() -> run("dlq", "list", "--source", "ingest", "--json"),
                j -> source(j, "ingest").path("count").asLong() >= 3);
    }

    @Test
    @Order(7)
    void streamsPoisonIsParkedTheNextUploadIsServedAndLettersAreReapplied() throws Exception {
        // Forged records name a bucket of their own, so no later reconcile of the real buckets meets them.
        String bucket = "dlq-streams-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = "poison-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        byte[] undecodable = ("{\"eventId\": 1, " + prefix).getBytes(StandardCharsets.UTF_8);
        ObjectEvent misKeyed = event(bucket, prefix + "mis-keyed.txt", "v-mis-1");
        ObjectEvent refusedBefore = event(bucket, prefix + "refused-before.txt", "v-refused-1");
        // The poison goes under the key the next upload will have: one partition, the upload behind the poison.
        String source = stack.endpoints().sourceBucket();
        String uploaded = prefix + "uploaded after the poison.txt";
        byte[] uploadKey = (source + "/" + uploaded).getBytes(StandardCharsets.UTF_8);
        // As the ops role (the stack's service environment): it may write the inputs and the dead-letter topic.
        try (var producer = KafkaClientSettings.fromEnvironment(env).newProducer(Map.of("acks", "all"),
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.OBJECT_EVENTS.name(), uploadKey,
                    undecodable)).get();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.OBJECT_EVENTS.name(), uploadKey,
                    Json.write(misKeyed))).get();
            // A letter an older, stricter topology parked: a valid event the running one applies.
            var letter = new org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>(Topics.STREAMS_DLQ.name(), null,
                    System.currentTimeMillis(), refusedBefore.recordKey().getBytes(StandardCharsets.UTF_8),
                    Json.write(refusedBefore));
            letter.headers().add("__streams.errors.topic", Topics.OBJECT_EVENTS.name().getBytes(StandardCharsets.UTF_8))
                    .add("__streams.errors.partition", "0".getBytes(StandardCharsets.UTF_8))
                    .add("__streams.errors.offset", "0".getBytes(StandardCharsets.UTF_8))
                    .add("__streams.errors.message", "refused before the fix".getBytes(StandardCharsets.UTF_8))
                    .add("filetrail.dead-letter.kind", "apply".getBytes(StandardCharsets.UTF_8));
            producer.send(letter).get();
        }
        s3.putObject(b -> b.bucket(source).key(uploaded), RequestBody.fromString("fine"));
        api().await(Demo.versionsPath(source, uploaded), j -> j.path("versions").size() == 1, Duration.ofSeconds(60));

        JsonNode listed = awaitJson(() -> run("dlq", "list", "--source", "streams", "--json"),
                j -> source(j, "streams").path("count").asLong() >= 3);
        List<JsonNode> ours = new ArrayList<>();
        listed.path("letters").forEach(l -> {
            if (l.path("reason").asText().contains(prefix) || l.path("reason").asText().contains("refused before")) {
                ours.add(l);
            }
        });
        assertThat(ours).extracting(l -> l.path("reason").asText().split(":")[0])
                .containsExactlyInAnyOrder("decode", "apply", "apply");
        JsonNode undecodableLetter = ours.stream().filter(l -> l.path("reason").asText().startsWith("decode"))
                .findFirst().orElseThrow();
        Run show = run("dlq", "show", undecodableLetter.path("id").asText(), "--json");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.json().path("value").asText()).isEqualTo(new String(undecodable, StandardCharsets.UTF_8));
        assertThat(show.json().path("sourceTopic").asText()).isEqualTo(Topics.OBJECT_EVENTS.name());
        assertThat(run("dlq", "show", "streams:0:999999999").exit()).isEqualTo(1);

        Run redrive = run("dlq", "redrive", "--source", "streams", "--json");
        assertThat(redrive.exit()).as(redrive.err()).isZero();
        assertThat(source(redrive.json(), "streams").path("redriven").asLong()).isGreaterThanOrEqualTo(3);
        api().await(Demo.versionsPath(bucket, refusedBefore.key()), j -> j.path("versions").size() == 1,
                Duration.ofSeconds(60));
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                stack.endpoints().streamsMetrics().replaceFirst("/metrics$", "/ready"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"status\":\"READY\"");
    }

    @Test
    @Order(7)
    void messagesOnTheSqsDeadLetterQueueAreListedShownAndRedriven() throws Exception {
        String bucket = "dlq-sqs-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "sqs-dlq-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        String body = notification(bucket, key, "v-sqs-dlq-1", "0055AED6DCD90281F7");
        // Stands in for SQS moving a message there after maxReceiveCount receives (SqsDeadLettersTest makes SQS do it).
        try (SqsClient sqs = testSqs()) {
            sqs.sendMessage(b -> b.queueUrl(stack.endpoints().ingestDlqUrl()).messageBody(body));
        }
        JsonNode listed = run("dlq", "list", "--source", "sqs", "--json").json();
        assertThat(source(listed, "sqs").path("count").asLong()).isEqualTo(1);
        assertThat(source(listed, "sqs").path("where").asText()).isEqualTo(stack.endpoints().ingestDlqUrl());
        String id = listed.path("letters").get(0).path("id").asText();
        Run show = run("dlq", "show", id, "--json");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.json().path("body").asText()).isEqualTo(body);

        assertThat(source(run("dlq", "redrive", "--source", "sqs", "--dry-run", "--json").json(), "sqs")
                .path("redriven").asLong()).isEqualTo(1);
        Run redrive = run("dlq", "redrive", "--source", "sqs", "--json");
        assertThat(redrive.exit()).as(redrive.err()).isZero();
        assertThat(source(redrive.json(), "sqs").path("redriven").asLong()).as("the dry run moved nothing")
                .isEqualTo(1);
        assertThat(source(run("dlq", "list", "--source", "sqs", "--json").json(), "sqs").path("count").asLong())
                .isZero();
        JsonNode history = api().await(Demo.versionsPath(bucket, key), j -> j.path("versions").size() == 1,
                Duration.ofSeconds(60));
        assertThat(history.path("versions").get(0).path("versionId").asText()).isEqualTo("v-sqs-dlq-1");
    }

    /** The test's own SQS client, untagged: its sends are set-up, not calls of any Filetrail component. */
    private SqsClient testSqs() {
        return SqsClient.builder().endpointOverride(URI.create(stack.endpoints().sqs())).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
    }

    private ApiClient api() {
        return new ApiClient(stack.endpoints().api(), stack.endpoints().adminApiKey());
    }

    private static JsonNode source(JsonNode result, String name) {
        for (JsonNode source : result.path("sources")) {
            if (source.path("source").asText().equals(name)) {
                return source;
            }
        }
        throw new AssertionError("no source " + name + " in " + result);
    }

    private static String notification(String bucket, String key, String versionId, String sequencer) {
        return new S3EventJson("us-east-1", "AWS:filetrail").notification(new S3Change("ObjectCreated:Put", bucket,
                key, versionId, 42L, "0123456789abcdef", sequencer, Instant.now()), "cfg");
    }

    private static ObjectEvent event(String bucket, String key, String versionId) {
        Instant at = Instant.now();
        return new ObjectEvent(EventIds.objectEventId(bucket, key, versionId, "0055AED6DCD9028200", "ObjectCreated:Put",
                at), bucket, key, versionId, "0055AED6DCD9028200", ObjectEventType.VERSION_CREATED,
                "ObjectCreated:Put", 7L, "etag", "STANDARD", at, "us-east-1", null, null, null, null,
                Origin.of(Origin.S3_NOTIFICATION), at);
    }

    @Test
    @Order(8)
    void keysCreatedListedAndRevokedAreHonouredByTheApi() throws Exception {
        Run bad = run("keys", "create", "--name", "x", "--scopes", "root");
        assertThat(bad.exit()).isEqualTo(2);

        Run dry = run("keys", "create", "--name", "ops-dry", "--dry-run", "--json");
        assertThat(dry.exit()).isZero();
        assertThat(status(dry.json().path("plaintext").asText())).as("a dry-run key is not stored").isEqualTo(401);

        Run created = run("keys", "create", "--name", "ops-test", "--scopes", "read", "--json");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = created.json().path("id").asText();
        String plaintext = created.json().path("plaintext").asText();
        assertThat(status(plaintext)).isEqualTo(200);

        Run list = run("keys", "list", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.json()).anySatisfy(k -> {
            assertThat(k.path("id").asText()).isEqualTo(id);
            assertThat(k.path("name").asText()).isEqualTo("ops-test");
            assertThat(k.has("revokedAt")).isFalse();
        });
        assertThat(run("keys", "list").out()).contains(id).contains("active");

        assertThat(run("keys", "revoke", id, "--dry-run").exit()).isZero();
        assertThat(status(plaintext)).as("still valid after a dry run").isEqualTo(200);
        Run revoke = run("keys", "revoke", id, "--json");
        assertThat(revoke.exit()).isZero();
        assertThat(revoke.json().path("wasActive").asBoolean()).isTrue();
        // The ops command is another client: the API refuses the key once PostgreSQL has delivered the revocation's
        // notification to it (README -> key cache), milliseconds on an idle machine, not at the revoke's commit.
        Instant deadline = Instant.now().plusSeconds(30);
        int afterRevoke = status(plaintext);
        while (afterRevoke != 401 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            afterRevoke = status(plaintext);
        }
        assertThat(afterRevoke).isEqualTo(401);
        assertThat(run("keys", "list", "--active", "--json").json()).noneSatisfy(k ->
                assertThat(k.path("id").asText()).isEqualTo(id));
        assertThat(run("keys", "revoke", "no-such-key").exit()).isEqualTo(1);

        // A key limited to one bucket and prefix, with a lifetime: 403 elsewhere, and listed with its limits.
        Run scoped = run("keys", "create", "--name", "ops-scoped", "--scopes", "read,write", "--bucket",
                legacyBucket, "--prefix", "scoped/", "--expires-in", "PT720H", "--json");
        assertThat(scoped.exit()).as(scoped.err()).isZero();
        assertThat(scoped.json().path("limits").path("buckets").toString()).contains(legacyBucket);
        assertThat(scoped.json().path("limits").path("expiresAt").asText()).isNotEmpty();
        String scopedKey = scoped.json().path("plaintext").asText();
        assertThat(status(scopedKey)).as("listing its bucket (narrowed to its prefix)").isEqualTo(200);
        assertThat(new ApiClient(stack.endpoints().api(), scopedKey).get("/v1/buckets/"
                + stack.endpoints().sourceBucket() + "/files").statusCode()).as("another bucket").isEqualTo(403);
        assertThat(run("keys", "list").out()).contains("ops-scoped").contains("keys under 'scoped/'");
        assertThat(run("keys", "create", "--name", "x", "--bucket", "Not_A_Bucket").exit()).isEqualTo(2);
        assertThat(run("keys", "create", "--name", "x", "--expires-in", "soon").exit()).isEqualTo(2);
    }

    // ---- helpers ----

    private int status(String key) throws Exception {
        return new ApiClient(stack.endpoints().api(), key).get("/v1/buckets/" + legacyBucket + "/files").statusCode();
    }

    private JsonNode awaitJson(java.util.function.Supplier<Run> command, java.util.function.Predicate<JsonNode> ready)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        Run last = null;
        while (Instant.now().isBefore(deadline)) {
            last = command.get();
            if (last.exit() == 0 && ready.test(last.json())) {
                return last.json();
            }
            Thread.sleep(300);
        }
        throw new AssertionError("never satisfied; last: " + last);
    }

    private static void produce(BridgeProducer producer, ObjectEvent event) throws Exception {
        producer.send(new OutboundRecord(Topics.OBJECT_EVENTS.name(), event.recordKey(), Json.write(event), "test")).get();
    }

    /** S3's view: entries as "key versionId marker class", and each key's latest id. */
    record Listing(List<String> entries, Map<String, String> latest, long markers, List<ObjectVersion> versions) {
    }

    private Listing listing(String bucket) {
        List<String> entries = new ArrayList<>();
        Map<String, String> latest = new TreeMap<>();
        List<ObjectVersion> versions = new ArrayList<>();
        long markers = 0;
        for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket))) {
            for (ObjectVersion v : page.versions()) {
                String storageClass = v.storageClassAsString() == null ? "STANDARD" : v.storageClassAsString();
                entries.add(v.key() + " " + v.versionId() + " false " + storageClass);
                versions.add(v);
                if (v.isLatest()) {
                    latest.put(v.key(), v.versionId());
                }
            }
            for (DeleteMarkerEntry m : page.deleteMarkers()) {
                entries.add(m.key() + " " + m.versionId() + " true null");
                markers++;
                if (m.isLatest()) {
                    latest.put(m.key(), m.versionId());
                }
            }
        }
        return new Listing(entries, latest, markers, versions);
    }

    private List<String> readModelEntries(String bucket) throws Exception {
        return pipeline.query("SELECT key || ' ' || version_id || ' ' || delete_marker || ' ' || "
                + "coalesce(storage_class, 'null') FROM filetrail.file_versions WHERE bucket = '" + bucket + "'"
                // Removed versions stay as removed entries; what S3 has are the present ones.
                + " AND removed_at IS NULL");
    }

    private Map<String, String> readModelLatest(String bucket) throws Exception {
        Map<String, String> latest = new TreeMap<>();
        for (String row : pipeline.query("SELECT key, latest_version_id FROM filetrail.files WHERE bucket = '"
                + bucket + "'")) {
            String[] parts = row.split("\t");
            latest.put(parts[0], parts[1]);
        }
        return latest;
    }

    private List<String> heads(String bucket) throws Exception {
        return pipeline.query("SELECT key, deleted, current_version_id, latest_version_id, version_count, "
                + "delete_marker_count FROM filetrail.files WHERE bucket = '" + bucket + "' ORDER BY key");
    }

    private List<String> readModelSnapshot() throws Exception {
        List<String> rows = new ArrayList<>();
        rows.addAll(pipeline.query("SELECT 'f', bucket, key, deleted, current_version_id, latest_version_id, "
                + "version_count, delete_marker_count, size, e_tag, content_type, storage_class, last_modified "
                + "FROM filetrail.files ORDER BY bucket, key"));
        rows.addAll(pipeline.query("SELECT 'v', bucket, key, version_id, ordering, sequencer, delete_marker, size, "
                + "e_tag, storage_class, created_at, requester, content_type, restore, tags_changed_at, derivatives "
                + "FROM filetrail.file_versions ORDER BY bucket, key, version_id"));
        rows.addAll(pipeline.query("SELECT 'a', id, type, source, subject, time, bucket, key, event "
                + "FROM filetrail.audit_events ORDER BY id"));
        rows.addAll(pipeline.query("SELECT 's', link_id, bucket, key, status, resolved_version_id, access_count "
                + "FROM filetrail.share_links ORDER BY link_id"));
        return rows;
    }

    private Map<String, String> latestPerKey(String topic) {
        Map<String, String> latest = new HashMap<>();
        TopicContents.read(KafkaClientSettings.fromEnvironment(env), topic, r -> {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                latest.remove(key);
            } else {
                latest.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
        });
        return latest;
    }

    /** Per partition, in offset order: "key|timestamp|value" of records with from <= timestamp <= to. */
    private Map<Integer, List<String>> records(String topic, Instant from, Instant to) {
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        TopicContents.read(KafkaClientSettings.fromEnvironment(env), topic, r -> {
            if (r.timestamp() >= from.toEpochMilli() && r.timestamp() <= to.toEpochMilli()) {
                byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(
                        new String(r.key(), StandardCharsets.UTF_8) + "|" + r.timestamp() + "|"
                                + new String(r.value(), StandardCharsets.UTF_8));
            }
        });
        return byPartition;
    }
}
