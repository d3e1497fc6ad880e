package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.events.Json;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.launcher.cli.FiletrailCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LOCAL_READ_MODEL_SHARDS=3}: the stack's parts start three PostgreSQL servers, name them in
 * {@code endpoints.json} ({@code postgresShards}) and hand them to the services as {@code READ_MODEL_SHARDS}, with
 * which the projector runs one consumer per shard. And the whole stack, query API included, with two shards: the local
 * topics have {@code TOPIC_PARTITIONS=3} by default, which two shards do not divide, so that stack runs with four.
 */
class ReadModelShardsLocalTest {
    @TempDir
    static Path output;

    @Test
    void threeShardsAreThreeServersInEndpointsAndTheServicesEnvironment() throws Exception {
        try (LocalStack stack = LocalStack.startParts(LocalStackConfig.ephemeral(output).withReadModelShards(3))) {
            Endpoints written = Endpoints.read(output.resolve("endpoints.json"));
            assertThat(written.postgresShards()).hasSize(3).doesNotHaveDuplicates().startsWith(written.postgres());
            assertThat(written.postgresShards()).extracting(url -> url.replaceAll("/[^/]*$", ""))
                    .as("each shard its own server").doesNotHaveDuplicates();
            Map<String, String> env = new HashMap<>(stack.serviceEnvironment(KafkaRole.API));
            assertThat(env.get("READ_MODEL_SHARDS")).isEqualTo(String.join(",", written.postgresShards()));
            env.put("API_ADMIN_PORT", "0");
            try (ProjectorService projector = new ProjectorService(ApiConfig.fromMap(env)).start()) {
                assertThat(projector.projectors()).hasSize(3);
                for (String url : written.postgresShards()) {
                    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                         ResultSet rs = c.createStatement().executeQuery(
                                 "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail'"
                                         + " AND table_name = 'projection_offsets'")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as(url).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void theWholeStackWithTwoShardsAnswersTheDemoFromBothShards() throws Exception {
        Path dir = Files.createDirectories(output.resolve("two-shards"));
        try (LocalStack stack = LocalStack.start(LocalStackConfig.ephemeral(dir).withTopicPartitions(4)
                .withReadModelShards(2))) {
            Endpoints endpoints = stack.endpoints();
            assertThat(endpoints.postgresShards()).hasSize(2);
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            new Demo(endpoints, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
            String demo = printed.toString(StandardCharsets.UTF_8);
            String bucket = endpoints.sourceBucket();
            // The demo's answers, as with one shard: both versions newest first, the delete marker above its version,
            // the photo's thumbnails, the first version through the edge, the listing without the deleted file.
            assertThat(demo).contains("GET through the local CloudFront edge -> 200: Filetrail 0.1: first notes");
            ApiClient api = new ApiClient(endpoints.api(), endpoints.adminApiKey());
            JsonNode notes = api.await(Demo.versionsPath(bucket, "docs/release notes+v1.txt"),
                    body -> body.path("versions").size() == 2, Duration.ofSeconds(60));
            assertThat(notes.path("versions").path(0).path("size").asLong()).isEqualTo(
                    "Filetrail 0.1: first notes, revised\n".length());
            assertThat(notes.path("versions").path(1).path("size").asLong()).isEqualTo(
                    "Filetrail 0.1: first notes\n".length());
            JsonNode scratch = api.await(Demo.versionsPath(bucket, "tmp/scratch.txt"),
                    body -> body.path("versions").size() == 2, Duration.ofSeconds(60));
            assertThat(scratch.path("versions").path(0).path("deleteMarker").asBoolean()).isTrue();
            assertThat(scratch.path("versions").path(1).path("deleteMarker").asBoolean()).isFalse();
            JsonNode photo = api.await(Demo.filePath(bucket, "photos/sunset at the beach.png"),
                    body -> Demo.thumbnails(body).size() >= 3, Duration.ofSeconds(60));
            assertThat(Demo.thumbnails(photo)).extracting(t -> t.path("size").asInt()).contains(64, 256, 1024);

            // More files, at least one on each shard, then the listing paged one file at a time across both shards.
            int partitions = 4;
            List<String> extra = keysOnBothShards(bucket, "shards/file-", partitions, 6);
            try (S3Client s3 = Demo.s3Client(endpoints)) {
                for (String key : extra) {
                    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                }
            }
            List<String> expected = new ArrayList<>(List.of("docs/release notes+v1.txt",
                    "photos/sunset at the beach.png"));
            expected.addAll(extra);
            expected.sort(dev.filetrail.api.shards.ShardedFiles.KEY_ORDER);
            api.await("/v1/buckets/" + bucket + "/files?limit=100", body -> body.path("files").size() == expected.size(),
                    Duration.ofSeconds(60));
            List<String> listed = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = api.await("/v1/buckets/" + bucket + "/files?limit=1" + (cursor == null ? ""
                        : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), body -> true,
                        Duration.ofSeconds(10));
                page.path("files").forEach(f -> listed.add(f.path("key").asText()));
                cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            } while (cursor != null);
            assertThat(listed).containsExactlyElementsOf(expected);

            // Both shards hold rows, each file in the shard its partition names and in no other.
            for (int shard = 0; shard < 2; shard++) {
                String url = endpoints.postgresShards().get(shard);
                assertThat(count(url, "SELECT count(*) FROM filetrail.files WHERE bucket = ?", bucket))
                        .as("files in shard %d", shard).isPositive();
                for (String key : expected) {
                    long inShard = count(url, "SELECT count(*) FROM filetrail.files WHERE bucket = ? AND key = '"
                            + key.replace("'", "''") + "'", bucket);
                    assertThat(inShard).as("%s in shard %d", key, shard)
                            .isEqualTo(ReadModelShards.shardOf(bucket, key, partitions, 2) == shard ? 1 : 0);
                }
            }

            // Reconcile and rebuild with two shards, against the running stack: S3 itself, the real topology and the
            // API's sharded projectors. A bucket without notifications holds versions on both shards that Filetrail
            // never heard of; reconcile reads both shards, finds each, --repair produces them, and once projected
            // the report is clean.
            Map<String, String> ops = stack.serviceEnvironment();
            // "legacy-" and 8 hex digits: the name IamParityTest maps to the stack's source bucket (LocalNames).
            String quiet = String.format("legacy-%08x", System.nanoTime() & 0xffffffffL);
            List<String> unheard = keysOnBothShards(quiet, "unheard/file-", partitions, 4);
            try (S3Client s3 = Demo.s3Client(endpoints)) {
                s3.createBucket(b -> b.bucket(quiet));
                s3.putBucketVersioning(b -> b.bucket(quiet).versioningConfiguration(v -> v.status(
                        software.amazon.awssdk.services.s3.model.BucketVersioningStatus.ENABLED)));
                for (String key : unheard) {
                    s3.putObject(b -> b.bucket(quiet).key(key), RequestBody.fromString(key));
                }
            }
            Command found = Command.run(ops, "reconcile", "--bucket", quiet, "--json");
            assertThat(found.exit()).as(found.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(found.json().path("byKind").path("MISSING_VERSION").asLong()).isEqualTo(unheard.size());
            Command repair = Command.run(ops, "reconcile", "--bucket", quiet, "--repair", "--json");
            assertThat(repair.exit()).as(repair.err()).isIn(0, FiletrailCommand.FOUND_DIFFERENCES);
            api.await("/v1/buckets/" + quiet + "/files?limit=100",
                    body -> body.path("files").size() == unheard.size(), Duration.ofSeconds(60));
            Command clean = Command.run(ops, "reconcile", "--bucket", quiet, "--json");
            assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
            assertThat(clean.json().path("filetrailEntries").asLong()).as("both shards read").isEqualTo(unheard.size());
            for (int shard = 0; shard < 2; shard++) {
                assertThat(count(endpoints.postgresShards().get(shard),
                        "SELECT count(*) FROM filetrail.files WHERE bucket = ?", quiet)).as("repaired into shard %d",
                        shard).isPositive();
            }

            // Rebuild shard 1 alone, then both shards one after the other: the same rows as the live projection.
            List<List<String>> before = List.of(rows(endpoints.postgresShards().get(0)),
                    rows(endpoints.postgresShards().get(1)));
            Command one = Command.run(ops, "rebuild", "--projection", "--shard", "1", "--json");
            assertThat(one.exit()).as(one.err()).isZero();
            assertThat(one.json().path("rebuilt")).hasSize(1);
            assertThat(one.json().path("rebuilt").get(0).path("shard").asInt()).isEqualTo(1);
            assertThat(one.json().path("rebuilt").get(0).path("switched").asBoolean()).isTrue();
            assertThat(rows(endpoints.postgresShards().get(1))).as("shard 1 rebuilt").isEqualTo(before.get(1));
            assertThat(rows(endpoints.postgresShards().get(0))).as("shard 0 untouched").isEqualTo(before.get(0));
            Command all = Command.run(ops, "rebuild", "--projection", "--json");
            assertThat(all.exit()).as(all.err()).isZero();
            List<Integer> rebuilt = new ArrayList<>();
            all.json().path("rebuilt").forEach(r -> rebuilt.add(r.path("shard").asInt()));
            assertThat(rebuilt).containsExactly(0, 1);
            assertThat(List.of(rows(endpoints.postgresShards().get(0)), rows(endpoints.postgresShards().get(1))))
                    .isEqualTo(before);
            JsonNode afterRebuild = api.await(Demo.versionsPath(bucket, "docs/release notes+v1.txt"),
                    body -> body.path("versions").size() == 2, Duration.ofSeconds(60));
            assertThat(afterRebuild.path("versions")).isEqualTo(notes.path("versions"));
        }
    }

    /** At least {@code atLeast} keys {@code <prefix>n.txt}, n = 0, 1, …, until both of two shards hold one. */
    private static List<String> keysOnBothShards(String bucket, String prefix, int partitions, int atLeast) {
        List<String> keys = new ArrayList<>();
        boolean[] covered = new boolean[2];
        for (int n = 0; !covered[0] || !covered[1] || keys.size() < atLeast; n++) {
            String key = prefix + n + ".txt";
            covered[ReadModelShards.shardOf(bucket, key, partitions, 2)] = true;
            keys.add(key);
        }
        return keys;
    }

    /** One operator command run in-process, as {@code filetrail <args>} beside the stack. */
    private record Command(int exit, String out, String err) {
        static Command run(Map<String, String> env, String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Command(exit, out.toString(), err.toString());
        }

        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    /** Every file and version row of one shard, in a stable order. */
    private static List<String> rows(String url) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT 'file ' || bucket || '/' || key || ' ' || coalesce(latest_version_id, '-') || ' '"
                             + " || deleted || ' ' || version_count FROM filetrail.files"
                             + " UNION ALL SELECT 'version ' || bucket || '/' || key || ' ' || version_id || ' '"
                             + " || coalesce(size::text, 'marker') || ' ' || coalesce(derivatives::text, '-')"
                             + " FROM filetrail.file_versions ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static long count(String url, String sql, String param) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
             PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
