package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.kafka.KafkaRole;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The ops commands with READ_MODEL_SHARDS listing several databases: migrate does every shard (keys on shard 0
 * only), keys go to shard 0, rebuild works per shard and for all, reconcile reads every shard or one, rejects are
 * listed across shards and acted on in their shard. The test topics have {@link KafkaCluster#TEST_PARTITIONS} (3)
 * partitions, so the sharded projector runs with three shards (two do not divide three; rejects and a reconcile of
 * every shard need no partition count, and are run with two shards' worth of rows in play as well).
 */
@ExtendWith(RealParts.class)
class ShardedCommandsTest {
    private static final int SHARDS = KafkaCluster.TEST_PARTITIONS;

    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    @Test
    void migrateDoesEveryShardAndKeysLiveInShardZero(PostgresServer postgres) throws Exception {
        String shard0 = postgres.createDatabase("cli_shard0");
        String shard1 = postgres.createDatabase("cli_shard1");
        Map<String, String> env = env(postgres.createDatabase("cli_unused"), List.of(shard0, shard1));

        Run migrate = run(env, "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("shard 0 filetrail ", "shard 1 filetrail ", "shard 0 filetrail_keys")
                .doesNotContain("shard 1 filetrail_keys");
        for (String shard : List.of(shard0, shard1)) {
            assertThat(count(shard, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail'"
                    + " AND table_name IN ('files', 'file_versions', 'projection_offsets')")).isEqualTo(3);
        }
        assertThat(count(shard0, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail_keys'"))
                .isPositive();
        assertThat(count(shard1, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail_keys'"))
                .isZero();
        Run again = run(env, "migrate");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("applied 0");

        Run key = run(env, "keys", "create", "--name", "sharded-ops");
        assertThat(key.exit()).as(key.err()).isZero();
        assertThat(count(shard0, "SELECT count(*) FROM filetrail_keys.api_keys WHERE name = 'sharded-ops'")).isEqualTo(1);
    }

    /**
     * snapshots take and list act on every shard: a snapshot in the past holds each shard's keys as they were then
     * (a key overwritten later, a key deleted later, a key created later), and one in the future is refused.
     */
    @Test
    void snapshotsAreTakenAndListedOnEveryShard(PostgresServer postgres) throws Exception {
        String shard0 = postgres.createDatabase("cli_snap0");
        String shard1 = postgres.createDatabase("cli_snap1");
        Map<String, String> env = env(postgres.createDatabase("cli_snap_unused"), List.of(shard0, shard1));
        assertThat(run(env, "migrate").exit()).isZero();
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        Instant at = t0.plusSeconds(100);
        version(shard0, "a", "a1", t0, false);
        version(shard0, "a", "a2", t0.plusSeconds(200), false);   // after: a1 is the head then
        version(shard0, "b", "b1", t0.plusSeconds(10), false);
        version(shard0, "b", "b2", t0.plusSeconds(300), true);    // deleted after
        version(shard1, "c", "c1", t0.plusSeconds(20), false);
        version(shard1, "d", "d1", t0.plusSeconds(400), false);   // created after
        version(shard1, "e", "e1", t0.plusSeconds(30), true);     // a delete marker then: not listed

        Run dry = run(env, "snapshots", "take", "--bucket", "snap-bucket", "--at", at.toString(), "--dry-run",
                "--json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().get("shards").findValuesAsText("keys")).containsExactly("2", "3");
        assertThat(count(shard0, "SELECT count(*) FROM filetrail.as_of_snapshots")).as("a dry run writes nothing")
                .isZero();
        Run take = run(env, "snapshots", "take", "--bucket", "snap-bucket", "--at", at.toString(), "--json");
        assertThat(take.exit()).as(take.err()).isZero();
        assertThat(take.json().get("shards").findValuesAsText("keys")).containsExactly("2", "1");
        Run list = run(env, "snapshots", "list", "--bucket", "snap-bucket", "--json");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.json().get("snapshots")).hasSize(2).allMatch(s -> s.get("ready").asBoolean()
                && s.get("takenAt").asText().equals(at.toString()));
        assertThat(run(env, "snapshots", "list", "--bucket", "snap-bucket").out())
                .contains("shard 0  " + at + "  ready  2 keys", "shard 1  " + at + "  ready  1 keys");
        // The heads it holds: per key the version current then, and from when each row stops being the answer.
        assertThat(count(shard0, "SELECT count(*) FROM filetrail.as_of_heads WHERE key = 'a' AND version_id = 'a1'"
                + " AND dirty_from = '" + t0.plusSeconds(200) + "'")).isEqualTo(1);
        assertThat(count(shard1, "SELECT count(*) FROM filetrail.as_of_heads WHERE key = 'd' AND version_id IS NULL"
                + " AND dirty_from = '" + t0.plusSeconds(400) + "'")).isEqualTo(1);

        Run future = run(env, "snapshots", "take", "--bucket", "snap-bucket", "--at",
                Instant.now().plusSeconds(3600).toString());
        assertThat(future.exit()).isEqualTo(2);
        assertThat(future.err()).contains("--at is in the future");
        assertThat(run(env, "snapshots").exit()).isEqualTo(2);
    }

    private static void version(String url, String key, String versionId, Instant created, boolean marker)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement schema = c.createStatement();
             PreparedStatement s = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id,"
                     + " ordering, delete_marker, created_at) VALUES ('snap-bucket', ?, ?, ?, ?, ?)")) {
            // The read model's triggers name its tables unqualified, as the services' connections see them.
            schema.execute("SET search_path TO filetrail");
            s.setString(1, key);
            s.setString(2, versionId);
            s.setString(3, String.format("%020d", created.toEpochMilli()));
            s.setBoolean(4, marker);
            s.setTimestamp(5, java.sql.Timestamp.from(created));
            s.executeUpdate();
        }
    }

    /** reprocess plans from every shard: a dry run counts and lists both shards' versions in key order. */
    @Test
    void reprocessDryRunCountsAndListsEveryShard(PostgresServer postgres) throws Exception {
        String shard0 = postgres.createDatabase("cli_r0");
        String shard1 = postgres.createDatabase("cli_r1");
        Map<String, String> env = env(postgres.createDatabase("cli_unused2"), List.of(shard0, shard1));
        env.put("REPROCESS_BUCKETS", "photos");
        assertThat(run(env, "migrate").exit()).isZero();
        for (int i = 0; i < 6; i++) {
            String shard = i < 2 ? shard0 : shard1;
            // As the API's pool does: the read model's triggers name their tables unqualified.
            execute(shard, "SET search_path TO filetrail; INSERT INTO filetrail.file_versions (bucket, key, version_id, ordering, delete_marker, size,"
                    + " storage_class) VALUES ('photos', 'p/" + i + ".png', 'v1', 'v1', false, 3, 'STANDARD')");
            execute(shard, "INSERT INTO filetrail.files (bucket, key, deleted, version_count, delete_marker_count)"
                    + " VALUES ('photos', 'p/" + i + ".png', false, 1, 0)");
        }
        Run dry = run(env, "reprocess", "--bucket", "photos", "--dry-run", "--json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().path("total").asLong()).isEqualTo(6);
        List<String> keys = new ArrayList<>();
        dry.json().path("versions").forEach(v -> keys.add(v.path("key").asText()));
        assertThat(keys).containsExactly("p/0.png", "p/1.png", "p/2.png", "p/3.png", "p/4.png", "p/5.png");
        Run unknown = run(env, "reprocess", "--bucket", "photos", "--prefix", "x/", "--dry-run", "--json");
        assertThat(unknown.json().path("total").asLong()).isZero();
    }

    /**
     * One sharded projector's rows, then: {@code rebuild --shard 1} rebuilds shard 1 alone (the others keep their
     * schema), reconcile over every shard finds a version missing from shard 1 and repairs it, and a rebuild of all
     * shards gives back exactly the rows the projector wrote.
     */
    @Test
    void rebuildPerShardAndForAllAndReconcileAcrossShards(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        ShardedSetup setup = ShardedSetup.create(kafka, postgres, s3, "ops");
        String bucket = setup.bucket();
        List<String> shards = setup.shards();
        Map<String, String> ops = setup.ops();

        try (ProjectorService projector = new ProjectorService(ApiConfig.fromMap(setup.service())).start();
             Streams streams = new Streams(kafka, bucket);
             S3Client client = s3.client()) {
            Map<String, Integer> shardOfKey = new TreeMap<>();
            for (int i = 0; i < 30; i++) {
                String key = "docs/file-" + i + ".txt";
                var put = client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("v1 of " + key));
                streams.version(key, put.versionId(), put.eTag(), ("v1 of " + key).length());
                shardOfKey.put(key, ReadModelShards.shardOf(bucket, key, KafkaCluster.TEST_PARTITIONS, SHARDS));
            }
            // Versions and heads come on different topics: the rows below join them, so wait for both.
            await("every version and head projected", () -> total(shards, bucket) == 30
                    && rows(shards, bucket).stream().mapToInt(List::size).sum() == 30);
            List<List<String>> projected = rows(shards, bucket);
            for (int i = 0; i < SHARDS; i++) {
                int shard = i;
                assertThat(projected.get(i)).as("shard " + i + " holds rows")
                        .hasSize((int) shardOfKey.values().stream().filter(s -> s == shard).count()).isNotEmpty();
            }

            Run one = run(ops, "rebuild", "--projection", "--shard", "1", "--json");
            assertThat(one.exit()).as(one.err()).isZero();
            assertThat(one.json().path("shards").asInt()).isEqualTo(SHARDS);
            assertThat(one.json().path("rebuilt")).hasSize(1);
            assertThat(one.json().path("rebuilt").get(0).path("shard").asInt()).isEqualTo(1);
            assertThat(one.json().path("rebuilt").get(0).path("switched").asBoolean()).isTrue();
            assertThat(retiredSchemas(shards.get(1))).hasSize(1);
            assertThat(retiredSchemas(shards.get(0))).as("shard 0 untouched").isEmpty();
            assertThat(retiredSchemas(shards.get(2))).as("shard 2 untouched").isEmpty();
            assertThat(rows(shards, bucket)).isEqualTo(projected);
            assertThat(offsetPartitions(shards.get(1))).as("shard 1 keeps only its partitions' offsets")
                    .isNotEmpty().allMatch(p -> p % SHARDS == 1);
            Run outOfRange = run(ops, "rebuild", "--projection", "--shard", String.valueOf(SHARDS));
            assertThat(outOfRange.exit()).isEqualTo(2);
            assertThat(outOfRange.err()).contains("READ_MODEL_SHARDS lists " + SHARDS + " shards");

            Run clean = run(ops, "reconcile", "--bucket", bucket, "--json");
            assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
            assertThat(clean.json().path("filetrailEntries").asLong()).as("every shard read").isEqualTo(30);
            assertThat(clean.json().path("keys").asLong()).isEqualTo(30);

            // A version S3 has and shard 1 never heard of.
            String drifted = shardOfKey.entrySet().stream().filter(e -> e.getValue() == 1).findFirst().orElseThrow()
                    .getKey();
            var put = client.putObject(b -> b.bucket(bucket).key(drifted), RequestBody.fromString("unheard-of"));
            Run report = run(ops, "reconcile", "--bucket", bucket, "--json");
            assertThat(report.exit()).as(report.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            Set<String> found = new HashSet<>();
            report.json().path("differences").forEach(d -> found.add(d.path("kind").asText() + " "
                    + d.path("key").asText() + " " + d.path("versionId").asText()));
            assertThat(found).containsExactlyInAnyOrder("MISSING_VERSION " + drifted + " " + put.versionId(),
                    "WRONG_CURRENT_VERSION " + drifted + " " + put.versionId());

            Run repair = run(ops, "reconcile", "--bucket", bucket, "--repair", "--json");
            assertThat(repair.exit()).as(repair.err()).isZero();
            assertThat(repair.json().path("repairEvents").asLong()).isPositive();
            assertThat(objectEvents(kafka, Topics.objectKey(bucket, drifted))).as("the repair event, to be projected")
                    .anyMatch(value -> value.contains(put.versionId()));
            // What metadata-streams makes of the repair event (the topology is not part of this module's tests).
            streams.version(drifted, put.versionId(), put.eTag(), "unheard-of".length());
            await("the repaired version projected into shard 1", () -> run(ops, "reconcile", "--bucket", bucket).exit() == 0);
            assertThat(count(shards.get(1), "SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket
                    + "' AND version_id = '" + put.versionId() + "'")).as("on the rebuilt shard 1").isEqualTo(1);

            List<List<String>> before = rows(shards, bucket);
            Run all = run(ops, "rebuild", "--projection", "--json");
            assertThat(all.exit()).as(all.err()).isZero();
            List<Integer> rebuilt = new ArrayList<>();
            all.json().path("rebuilt").forEach(r -> rebuilt.add(r.path("shard").asInt()));
            assertThat(rebuilt).containsExactly(0, 1, 2);
            assertThat(retiredSchemas(shards.get(0))).hasSize(1);
            assertThat(retiredSchemas(shards.get(1))).hasSize(2);
            assertThat(retiredSchemas(shards.get(2))).hasSize(1);
            assertThat(rows(shards, bucket)).as("the rebuild gives the projector's rows").isEqualTo(before);
            assertThat(run(ops, "reconcile", "--bucket", bucket).exit()).isZero();
        }
    }

    /**
     * {@code reconcile --shard 1} with a version missing from shard 1 and one missing from shard 2: it reports and
     * repairs shard 1's alone, counts the other shards' keys as skipped, waits until the repair is projected, and an
     * unsharded reconcile still finds shard 2's. A row of another shard's key in shard 1's database is reported as
     * wrong shard and never repaired; a shard that does not exist is refused.
     */
    @Test
    void reconcileOfOneShardComparesAndRepairsOnlyItsKeys(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        ShardedSetup setup = ShardedSetup.create(kafka, postgres, s3, "rec");
        String bucket = setup.bucket();
        List<String> shards = setup.shards();
        Map<String, String> ops = setup.ops();
        try (ProjectorService projector = new ProjectorService(ApiConfig.fromMap(setup.service())).start();
             Streams streams = new Streams(kafka, bucket);
             S3Client client = s3.client()) {
            // Files until every shard holds three, so each shard has keys to compare and keys to skip.
            Map<String, Integer> shardOfKey = new TreeMap<>();
            int[] perShard = new int[SHARDS];
            for (int i = 0; Arrays.stream(perShard).anyMatch(n -> n < 3); i++) {
                String key = "docs/file-" + i + ".txt";
                var put = client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("v1 of " + key));
                streams.version(key, put.versionId(), put.eTag(), ("v1 of " + key).length());
                int shard = ReadModelShards.shardOf(bucket, key, KafkaCluster.TEST_PARTITIONS, SHARDS);
                shardOfKey.put(key, shard);
                perShard[shard]++;
            }
            int files = shardOfKey.size();
            await("every version projected", () -> total(shards, bucket) == files);

            Run clean = run(ops, "reconcile", "--bucket", bucket, "--shard", "1", "--json");
            assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
            assertThat(clean.json().path("shard").asInt()).isEqualTo(1);
            assertThat(clean.json().path("shards").asInt()).isEqualTo(SHARDS);
            assertThat(clean.json().path("keys").asLong()).as("shard 1's keys only").isEqualTo(perShard[1]);
            assertThat(clean.json().path("filetrailEntries").asLong()).isEqualTo(perShard[1]);
            assertThat(clean.json().path("skippedKeys").asLong()).as("the other shards' keys, listed")
                    .isEqualTo(perShard[0] + perShard[2]);

            // A version S3 has and shard 1 never heard of, and one shard 2 never heard of.
            String onShard1 = keyOf(shardOfKey, 1);
            String onShard2 = keyOf(shardOfKey, 2);
            var put1 = client.putObject(b -> b.bucket(bucket).key(onShard1), RequestBody.fromString("unheard-of 1"));
            var put2 = client.putObject(b -> b.bucket(bucket).key(onShard2), RequestBody.fromString("unheard-of 2"));
            Run report = run(ops, "reconcile", "--bucket", bucket, "--shard", "1", "--json");
            assertThat(report.exit()).as(report.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(differences(report)).containsExactlyInAnyOrder(
                    "MISSING_VERSION " + onShard1 + " " + put1.versionId(),
                    "WRONG_CURRENT_VERSION " + onShard1 + " " + put1.versionId());
            assertThat(report.json().path("keys").asLong()).isEqualTo(perShard[1]);
            assertThat(report.json().path("s3Entries").asLong()).isEqualTo(perShard[1] + 1);
            assertThat(report.json().path("skippedKeys").asLong()).isEqualTo(perShard[0] + perShard[2]);
            assertThat(report.json().path("skippedS3Entries").asLong()).as("shard 2's new version among them")
                    .isEqualTo(perShard[0] + perShard[2] + 1);
            assertThat(run(ops, "reconcile", "--bucket", bucket, "--shard", "1").out())
                    .contains("in shard 1 of " + SHARDS, "keys skipped     " + (perShard[0] + perShard[2])
                            + " of other shards", put1.versionId())
                    .doesNotContain(put2.versionId());

            // Repair, and wait for it to be projected, while this thread stands in for metadata-streams.
            CompletableFuture<Run> repaired = CompletableFuture.supplyAsync(() -> run(ops, "reconcile", "--bucket",
                    bucket, "--shard", "1", "--repair", "--wait", "PT2M", "--json"));
            await("the repair event produced", () -> objectEvents(kafka, Topics.objectKey(bucket, onShard1)).stream()
                    .anyMatch(value -> value.contains(put1.versionId())));
            streams.version(onShard1, put1.versionId(), put1.eTag(), "unheard-of 1".length());
            Run repair = repaired.get();
            assertThat(repair.exit()).as(repair.out() + repair.err()).isZero();
            assertThat(repair.json().path("shard").asInt()).isEqualTo(1);
            assertThat(repair.json().path("repairEvents").asLong()).as("shard 1's missing version").isEqualTo(1);
            assertThat(repair.json().path("differenceCount").asLong()).as("clean once projected").isZero();
            assertThat(objectEvents(kafka, Topics.objectKey(bucket, onShard2))).as("nothing repaired on shard 2")
                    .noneMatch(value -> value.contains(put2.versionId()));
            assertThat(count(shards.get(1), "SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket
                    + "' AND version_id = '" + put1.versionId() + "'")).as("projected into shard 1").isEqualTo(1);

            Run shard1 = run(ops, "reconcile", "--bucket", bucket, "--shard", "1", "--json");
            assertThat(shard1.exit()).as(shard1.out() + shard1.err()).isZero();
            assertThat(shard1.json().path("differenceCount").asLong()).isZero();
            Run all = run(ops, "reconcile", "--bucket", bucket, "--json");
            assertThat(all.exit()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(all.json().has("shard")).as("every shard read: no shard named").isFalse();
            assertThat(all.json().path("skippedKeys").asLong()).isZero();
            assertThat(differences(all)).containsExactlyInAnyOrder(
                    "MISSING_VERSION " + onShard2 + " " + put2.versionId(),
                    "WRONG_CURRENT_VERSION " + onShard2 + " " + put2.versionId());

            // Shard 0's row of a key copied into shard 1's database, as a restore from the wrong snapshot leaves it.
            String onShard0 = keyOf(shardOfKey, 0);
            String stray = firstVersion(shards.get(0), bucket, onShard0);
            execute(shards.get(1), "SET search_path TO filetrail; INSERT INTO file_versions (bucket, key, version_id,"
                    + " ordering, delete_marker, size, storage_class) VALUES ('" + bucket + "', '" + onShard0 + "', '"
                    + stray + "', '0', false, 3, 'STANDARD')");
            Run wrongShard = run(ops, "reconcile", "--bucket", bucket, "--shard", "1", "--repair", "--json");
            assertThat(wrongShard.exit()).as(wrongShard.out() + wrongShard.err())
                    .isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(differences(wrongShard)).containsExactly("WRONG_SHARD " + onShard0 + " " + stray);
            assertThat(wrongShard.json().path("repairEvents").asLong()).isZero();
            assertThat(wrongShard.json().path("unrepaired").asLong()).isEqualTo(1);
            assertThat(wrongShard.json().path("keys").asLong()).as("not compared").isEqualTo(perShard[1]);
            // Over every shard the copy is the same version held by shards 0 and 1: reported, not passed as one.
            Run merged = run(ops, "reconcile", "--bucket", bucket, "--repair", "--dry-run", "--json");
            assertThat(merged.exit()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(differences(merged)).containsExactlyInAnyOrder(
                    "MISSING_VERSION " + onShard2 + " " + put2.versionId(),
                    "WRONG_CURRENT_VERSION " + onShard2 + " " + put2.versionId(),
                    "WRONG_SHARD " + onShard0 + " " + stray);

            Run outOfRange = run(ops, "reconcile", "--bucket", bucket, "--shard", String.valueOf(SHARDS));
            assertThat(outOfRange.exit()).isEqualTo(2);
            assertThat(outOfRange.err()).contains("--shard " + SHARDS + ": READ_MODEL_SHARDS lists " + SHARDS
                    + " shards (0 to " + (SHARDS - 1) + ")");
            assertThat(outOfRange.out()).isEmpty();
            assertThat(run(ops, "reconcile", "--bucket", bucket, "--shard", "-1").exit()).isEqualTo(2);
        }
    }

    /** Without READ_MODEL_SHARDS the one database is shard 0: {@code --shard 0} reconciles it, any other is refused. */
    @Test
    void reconcileOfAShardWithoutReadModelShards(PostgresServer postgres, EmbeddedS3 s3) throws Exception {
        String bucket = String.format("legacy-%08x", System.nanoTime() & 0xffffffffL);
        s3.createVersionedBucket(bucket);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", postgres.createDatabase("rec_single"));
        env.put("DATABASE_USER", PostgresServer.USER);
        env.put("DATABASE_PASSWORD", PostgresServer.PASSWORD);
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        assertThat(run(env, "migrate").exit()).isZero();
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(bucket).key("a.txt"), RequestBody.fromString("a"));
        }

        Run zero = run(env, "reconcile", "--bucket", bucket, "--shard", "0", "--json");
        assertThat(zero.exit()).as(zero.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
        assertThat(zero.json().path("shard").asInt()).isZero();
        assertThat(zero.json().path("shards").asInt()).isEqualTo(1);
        assertThat(zero.json().path("keys").asLong()).as("the one shard holds every key").isEqualTo(1);
        assertThat(zero.json().path("skippedKeys").asLong()).isZero();
        Run one = run(env, "reconcile", "--bucket", bucket, "--shard", "1");
        assertThat(one.exit()).isEqualTo(2);
        assertThat(one.err()).contains("--shard 1: READ_MODEL_SHARDS is unset, so the read model is one shard");
    }

    /** Rejects parked by three shards' projectors: listed together with their shard, shown and retried in it. */
    @Test
    void rejectsAreListedAcrossShardsAndRetriedInTheirShard(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        String bucket = "ops-rejects-" + Long.toHexString(System.nanoTime());
        List<String> shards = new ArrayList<>();
        for (int i = 0; i < SHARDS; i++) {
            shards.add(postgres.createDatabase("rej_shard" + i));
        }
        Map<String, String> env = env(postgres.createDatabase("rej_unused"), shards);
        env.putAll(kafka.settings(KafkaRole.API).environment());
        env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-rejects-shards-" + bucket);
        env.put("API_ADMIN_PORT", "0");
        try (ProjectorService projector = new ProjectorService(ApiConfig.fromMap(env)).start();
             Streams streams = new Streams(kafka, bucket)) {
            for (String shard : shards) {
                execute(shard, "ALTER TABLE filetrail.files ADD CONSTRAINT quarantine CHECK (key NOT LIKE 'quarantine/%')");
            }
            // One parked head in every shard.
            Map<String, Integer> parked = new LinkedHashMap<>();
            for (int i = 0; parked.size() < SHARDS; i++) {
                String key = "quarantine/x" + i;
                int shard = ReadModelShards.shardOf(bucket, key, KafkaCluster.TEST_PARTITIONS, SHARDS);
                if (!parked.containsValue(shard)) {
                    parked.put(key, shard);
                    streams.head(key);
                }
            }
            Map<String, JsonNode> listed = new HashMap<>();
            await("every shard's reject listed", () -> {
                listed.clear();
                Run list = run(env, "rejects", "list", "--json");
                list.json().path("rejects").forEach(r -> listed.put(r.path("recordKey").asText(), r));
                return parked.keySet().stream().allMatch(k -> listed.containsKey(Topics.objectKey(bucket, k)));
            });
            for (Map.Entry<String, Integer> e : parked.entrySet()) {
                JsonNode r = listed.get(Topics.objectKey(bucket, e.getKey()));
                assertThat(r.path("shard").asInt()).as(e.getKey()).isEqualTo(e.getValue())
                        .isEqualTo(r.path("partition").asInt() % SHARDS);
            }
            // Other tests' poison shares the topics: at least this test's one reject per shard.
            Run list = run(env, "rejects", "list", "--json");
            for (int i = 0; i < SHARDS; i++) {
                assertThat(list.json().path("byShard").path(String.valueOf(i)).asLong()).as("shard " + i).isPositive();
            }
            assertThat(run(env, "rejects", "list").out()).contains("in shard 2", "shard 1  ");

            String onShard2 = parked.entrySet().stream().filter(e -> e.getValue() == 2).findFirst().orElseThrow().getKey();
            String id = listed.get(Topics.objectKey(bucket, onShard2)).path("id").asText();
            Run show = run(env, "rejects", "show", id);
            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(show.out()).contains(id, onShard2, "23514");

            List<String> ids = parked.keySet().stream()
                    .map(k -> listed.get(Topics.objectKey(bucket, k)).path("id").asText()).toList();
            Run dry = run(env, "rejects", "retry", "--all", "--dry-run", "--json");
            assertThat(dry.exit()).as(dry.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            Map<String, String> dryOutcomes = new HashMap<>();
            dry.json().path("rejects").forEach(r -> dryOutcomes.put(r.path("id").asText(), r.path("outcome").asText()));
            for (String parkedId : ids) {
                assertThat(dryOutcomes).as("--all visits every shard").containsEntry(parkedId, "STILL_REJECTED");
            }

            for (String shard : shards) {
                execute(shard, "ALTER TABLE filetrail.files DROP CONSTRAINT quarantine");
            }
            Run retry = run(env, "rejects", "retry", ids.get(0), ids.get(1), ids.get(2), "--json");
            assertThat(retry.exit()).as(retry.err()).isZero();
            List<String> outcomes = new ArrayList<>();
            retry.json().path("rejects").forEach(r -> outcomes.add(r.path("id").asText() + " " + r.path("outcome").asText()));
            assertThat(outcomes).containsExactlyInAnyOrderElementsOf(ids.stream().map(i -> i + " APPLIED").toList());
            Run after = run(env, "rejects", "list", "--json", "--limit", "100000");
            after.json().path("rejects").forEach(r -> assertThat(ids).doesNotContain(r.path("id").asText()));
            for (Map.Entry<String, Integer> e : parked.entrySet()) {
                assertThat(count(shards.get(e.getValue()), "SELECT count(*) FROM filetrail.files WHERE bucket = '"
                        + bucket + "' AND key = '" + e.getKey() + "'")).as(e.getKey() + " in its shard").isEqualTo(1);
            }
        }
    }

    /**
     * A versioned bucket and {@link #SHARDS} read-model databases, with the environments of a sharded projector
     * ({@code service}) and of the ops commands ({@code ops}, which reach S3 too) in one projector group.
     */
    private record ShardedSetup(String bucket, List<String> shards, Map<String, String> service,
                                Map<String, String> ops) {
        static ShardedSetup create(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3, String name) {
            // "legacy-" and 8 hex digits: the name IamParityTest maps to the stack's source bucket (LocalNames).
            String bucket = String.format("legacy-%08x", System.nanoTime() & 0xffffffffL);
            s3.createVersionedBucket(bucket);
            List<String> shards = new ArrayList<>();
            for (int i = 0; i < SHARDS; i++) {
                shards.add(postgres.createDatabase(name + "_shard" + i));
            }
            String group = KafkaRole.PROJECTOR_GROUP_PREFIX + "-" + name + "-shards-" + bucket;
            Map<String, String> service = env(postgres.createDatabase(name + "_unused"), shards);
            service.putAll(kafka.settings(KafkaRole.API).environment());
            service.put("PROJECTOR_GROUP_ID", group);
            service.put("API_ADMIN_PORT", "0");
            Map<String, String> ops = env(postgres.createDatabase(name + "_unused"), shards);
            ops.putAll(kafka.settings(KafkaRole.OPS).environment());
            ops.put("PROJECTOR_GROUP_ID", group);
            ops.put("S3_ENDPOINT", s3.endpoint().toString());
            return new ShardedSetup(bucket, shards, service, ops);
        }
    }

    /** Stands in for metadata-streams: writes the file-versions and files records the topology would. */
    private static final class Streams implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final String bucket;
        private final Map<String, List<FileVersion>> histories = new HashMap<>();
        private long sequencer = 0x10000;

        Streams(KafkaCluster kafka, String bucket) {
            this.producer = kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(), new StringSerializer(),
                    new ByteArraySerializer());
            this.bucket = bucket;
        }

        void version(String key, String versionId, String eTag, long size) throws Exception {
            FileVersion version = new FileVersion(bucket, key, versionId, String.format("%016X", ++sequencer), false,
                    size, eTag, "STANDARD", Instant.now(), "tester", "evt-" + UUID.randomUUID(), null, null, null);
            List<FileVersion> history = histories.computeIfAbsent(key, k -> new ArrayList<>());
            history.add(version);
            FileHead head = new FileHead(bucket, key, false, versionId, history.size(), 0, size, eTag, "text/plain",
                    "STANDARD", version.createdAt(), versionId);
            String recordKey = Topics.objectKey(bucket, key);
            producer.send(new ProducerRecord<>(Topics.FILE_VERSIONS.name(), recordKey, Topics.FILE_VERSIONS.values()
                    .encode(new FileVersionChange(UUID.randomUUID().toString(), ChangeType.VERSION_CREATED, bucket,
                            key, versionId, version, head, version.createdEventId(), Instant.now(), null)))).get();
            producer.send(new ProducerRecord<>(Topics.FILES.name(), recordKey, Topics.FILES.values().encode(head))).get();
        }

        void head(String key) throws Exception {
            FileHead head = new FileHead(bucket, key, false, "v1", 1, 0, 3L, "\"e\"", "text/plain", "STANDARD",
                    Instant.now(), "v1");
            producer.send(new ProducerRecord<>(Topics.FILES.name(), Topics.objectKey(bucket, key),
                    Topics.FILES.values().encode(head))).get();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** The first key (in key order) that lives in {@code shard}. */
    private static String keyOf(Map<String, Integer> shardOfKey, int shard) {
        return shardOfKey.entrySet().stream().filter(e -> e.getValue() == shard).findFirst().orElseThrow().getKey();
    }

    /** A reconcile report's differences as "KIND key versionId" lines. */
    private static List<String> differences(Run report) {
        List<String> lines = new ArrayList<>();
        report.json().path("differences").forEach(d -> lines.add(d.path("kind").asText() + " "
                + d.path("key").asText() + " " + d.path("versionId").asText()));
        return lines;
    }

    /** A version id of {@code key} in the shard at {@code url}. */
    private static String firstVersion(String url, String bucket, String key) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement("SELECT min(version_id) FROM filetrail.file_versions"
                     + " WHERE bucket = ? AND key = ?")) {
            s.setString(1, bucket);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return Objects.requireNonNull(rs.getString(1), key + " has no version in " + url);
            }
        }
    }

    /** The values of the object-events records keyed {@code recordKey}, read as the ops role. */
    private static List<String> objectEvents(KafkaCluster kafka, String recordKey) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = kafka.settings(KafkaRole.OPS).newConsumer(Map.of(),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.OBJECT_EVENTS.name(), Duration.ofSeconds(10))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (recordKey.equals(r.key()) && r.value() != null) {
                        values.add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return values;
    }

    /** Each shard's versions and heads of {@code bucket}, as comparable lines, by shard. */
    private static List<List<String>> rows(List<String> shards, String bucket) throws Exception {
        List<List<String>> all = new ArrayList<>();
        for (String shard : shards) {
            List<String> lines = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(shard, PostgresServer.USER, PostgresServer.PASSWORD);
                 PreparedStatement s = c.prepareStatement("""
                         SELECT v.key, v.version_id, v.size, v.e_tag, v.storage_class, v.delete_marker,
                                f.latest_version_id, f.version_count
                           FROM filetrail.file_versions v JOIN filetrail.files f ON f.bucket = v.bucket AND f.key = v.key
                          WHERE v.bucket = ? ORDER BY v.key, v.version_id""")) {
                s.setString(1, bucket);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= 8; i++) {
                            row.add(rs.getString(i));
                        }
                        lines.add(String.join(" | ", row));
                    }
                }
            }
            all.add(lines);
        }
        return all;
    }

    private static long total(List<String> shards, String bucket) throws Exception {
        long n = 0;
        for (String shard : shards) {
            n += count(shard, "SELECT count(*) FROM filetrail.file_versions WHERE bucket = '" + bucket + "'");
        }
        return n;
    }

    private static List<String> retiredSchemas(String shard) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(shard, PostgresServer.USER, PostgresServer.PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT schema_name FROM information_schema.schemata"
                     + " WHERE schema_name LIKE 'filetrail\\_retired\\_%' OR schema_name LIKE 'filetrail\\_rebuild\\_%'")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).as("no half-built schema is left").startsWith("filetrail_retired_");
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<Integer> offsetPartitions(String shard) throws Exception {
        List<Integer> partitions = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(shard, PostgresServer.USER, PostgresServer.PASSWORD);
             ResultSet rs = c.createStatement().executeQuery("SELECT partition FROM filetrail.projection_offsets")) {
            while (rs.next()) {
                partitions.add(rs.getInt(1));
            }
        }
        return partitions;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.done()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** A condition awaited. */
    private interface Check {
        boolean done() throws Exception;
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Map<String, String> env(String databaseUrl, List<String> shards) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("READ_MODEL_SHARDS", String.join(",", shards));
        env.put("DATABASE_USER", PostgresServer.USER);
        env.put("DATABASE_PASSWORD", PostgresServer.PASSWORD);
        return env;
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
