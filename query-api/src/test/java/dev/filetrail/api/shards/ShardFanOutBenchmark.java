package dev.filetrail.api.shards;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.shares.ShareLinkStore;
import dev.filetrail.api.shares.ShareSecrets;
import dev.filetrail.embedded.postgres.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The read model's fan-out, one shard after another against all at once ({@link ShardFanOut}), side by side in one
 * run: N embedded PostgreSQL servers (default 8, each its own server, as each shard is its own database cluster in
 * AWS) hold F files (default 8,000) under one prefix and L share links (default 2,000), each where
 * {@link ReadModelShards#shardOf} and {@link ReadModelShards#shardOfShareLink} put it. Then, in rounds that alternate
 * the order (ABBA), the same {@link ShardedFiles} and {@link ShareLinkStore} code with the sequential fan-out and with
 * a {@code READ_MODEL_FANOUT_THREADS}-sized pool: every 100-file page of the prefix (the bucket listing), share links
 * found by token (the share page's lookup; tokens of links spread over every shard) and tokens no shard holds (a
 * wrong link: asked in turn, every shard was asked). Each timed per call; reports p50 and p99 per page or lookup over
 * all rounds, the spread of the rounds' p50s, and the ratio sequential / parallel. With several client counts,
 * that many threads do it at once (pages and lookups of all of them counted). The HTTP path is the same for both and
 * is measured by {@code ApiBenchmark}; this isolates the fan-out. Args: [shards] [files] [rounds] [clients,...]
 * [links].
 */
public final class ShardFanOutBenchmark {
    private static final String BUCKET = "bench";
    private static final String PREFIX = "team/";
    private static final int PAGE = 100;
    /** AWS's partition count, so routing is what it is there (n × 1,024 for a shard count that does not divide it). */
    private static final int PARTITIONS = 8192;
    private static final int LOOKUPS = 400;

    private ShardFanOutBenchmark() {
    }

    /** One way of asking the shards, with the reads it drives. */
    private record Variant(String name, ShardedFiles files, ShareLinkStore links) {
    }

    /** What is timed: a listing page, a token found, a token not found. */
    private enum Operation {
        PAGE("listing page (100 files)"), HIT("share token found"), MISS("share token in no shard");

        final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int files = args.length > 1 ? Integer.parseInt(args[1]) : 8_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        int[] clientCounts = Arrays.stream((args.length > 3 ? args[3] : "1,8").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int linkCount = args.length > 4 ? Integer.parseInt(args[4]) : 2_000;
        List<PostgresServer> servers = new ArrayList<>();
        try {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                PostgresServer server = PostgresServer.start(0);
                servers.add(server);
                urls.add(server.createDatabase("fanout_bench"));
            }
            ApiConfig config = ApiConfig.fromMap(Map.of("READ_MODEL_SHARDS", String.join(",", urls),
                    "DATABASE_USER", PostgresServer.USER, "DATABASE_PASSWORD", PostgresServer.PASSWORD));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (ReadModelShards shards = ReadModelShards.open(config, "fanout-bench", registry);
                 ShardFanOut parallel = new ShardFanOut(config.readModelShards().fanOutThreads(), registry)) {
                shards.migrate();
                int partitions = PARTITIONS % n == 0 ? PARTITIONS : n * 1024;
                Map<String, Integer> counts = Projector.TOPICS.stream()
                        .collect(Collectors.toMap(Function.identity(), t -> partitions));
                shards.checkPartitions(counts, counts.keySet());
                List<String> keys = loadFiles(shards, files);
                Random random = new Random(16);
                List<String> tokens = loadLinks(shards, linkCount, keys, random);
                for (int i = 0; i < n; i++) {
                    try (Connection c = shards.primary(i).getConnection(); Statement s = c.createStatement()) {
                        s.execute("VACUUM ANALYZE files");
                        s.execute("VACUUM ANALYZE share_links");
                    }
                }
                List<Variant> variants = List.of(
                        new Variant("sequential", new ShardedFiles(shards, ShardFanOut.sequential()),
                                new ShareLinkStore(shards, ShardFanOut.sequential())),
                        new Variant("parallel (" + config.readModelShards().fanOutThreads() + " threads)",
                                new ShardedFiles(shards, parallel), new ShareLinkStore(shards, parallel)));
                List<String> misses = new ArrayList<>();
                for (int i = 0; i < LOOKUPS; i++) {
                    misses.add(ShareSecrets.tokenHash(ShareSecrets.newToken()));
                }
                for (int warm = 0; warm < 3; warm++) {
                    for (Variant v : variants) {
                        run(v, 1, keys, tokens, misses, random);
                    }
                }
                System.out.printf(Locale.ROOT, "%d shards (embedded PostgreSQL servers), %d files under '%s' in pages "
                        + "of %d, %d share links, %d lookups each of found and unknown tokens per client and round, "
                        + "%d rounds (ABBA), load average at start %s%n", n, files, PREFIX, PAGE, linkCount, LOOKUPS,
                        rounds, loadAverage());
                for (int shard = 0; shard < n; shard++) {
                    int s = shard;
                    System.out.printf(Locale.ROOT, "  shard %d: %d files%n", shard,
                            keys.stream().filter(k -> shards.shardOf(BUCKET, k) == s).count());
                }
                System.out.println("| clients | operation | fan-out | p50 | p99 | rounds' p50 min–max "
                        + "| per s (all clients) | sequential / parallel: p50, p99 (median of rounds, min–max) |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                for (int clients : clientCounts) {
                    // [variant][operation][round] → each call's nanoseconds, and the round's wall time
                    List<List<List<long[]>>> samples = new ArrayList<>();
                    double[][][] rates = new double[variants.size()][Operation.values().length][rounds];
                    for (int v = 0; v < variants.size(); v++) {
                        List<List<long[]>> perOperation = new ArrayList<>();
                        for (Operation ignored : Operation.values()) {
                            perOperation.add(new ArrayList<>());
                        }
                        samples.add(perOperation);
                    }
                    for (int r = 0; r < rounds; r++) {
                        for (int step = 0; step < variants.size(); step++) {
                            int v = r % 2 == 0 ? step : variants.size() - 1 - step;
                            Map<Operation, Measured> measured = run(variants.get(v), clients, keys, tokens, misses,
                                    random);
                            for (Operation op : Operation.values()) {
                                samples.get(v).get(op.ordinal()).add(measured.get(op).nanos());
                                rates[v][op.ordinal()][r] = measured.get(op).nanos().length
                                        / (measured.get(op).wallNanos() / 1e9);
                            }
                        }
                    }
                    for (Operation op : Operation.values()) {
                        for (int v = 0; v < variants.size(); v++) {
                            List<long[]> perRound = samples.get(v).get(op.ordinal());
                            long[] all = perRound.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                            double[] roundP50 = perRound.stream().mapToDouble(x -> percentile(x, 50)).toArray();
                            String ratio = "";
                            if (v == variants.size() - 1) {
                                List<long[]> seq = samples.get(0).get(op.ordinal());
                                double[] p50 = new double[rounds];
                                double[] p99 = new double[rounds];
                                for (int r = 0; r < rounds; r++) {
                                    p50[r] = percentile(seq.get(r), 50) / percentile(perRound.get(r), 50);
                                    p99[r] = percentile(seq.get(r), 99) / percentile(perRound.get(r), 99);
                                }
                                ratio = spread(p50, "%.2f") + ", " + spread(p99, "%.2f");
                            }
                            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |%n", clients,
                                    op.label, variants.get(v).name(), ms(percentile(all, 50)), ms(percentile(all, 99)),
                                    ms(Arrays.stream(roundP50).min().orElseThrow()) + "–"
                                            + ms(Arrays.stream(roundP50).max().orElseThrow()),
                                    String.format(Locale.ROOT, "%.0f", median(rates[v][op.ordinal()])), ratio);
                        }
                    }
                    System.out.printf(Locale.ROOT, "load average after %d client(s): %s; fan-out reads run by the "
                            + "request thread because the pool was busy so far: %.0f%n", clients, loadAverage(),
                            registry.get("filetrail_read_model_fanout_saturated").counter().count());
                }
            }
        } finally {
            servers.forEach(PostgresServer::close);
        }
    }

    /** One operation's calls: each call's nanoseconds, and the wall time of all of them (all clients). */
    private record Measured(long[] nanos, long wallNanos) {
    }

    /**
     * {@code clients} threads at once, each walking every page of the prefix, then each looking up {@link #LOOKUPS}
     * found tokens, then as many unknown ones; every answer is checked.
     */
    private static Map<Operation, Measured> run(Variant v, int clients, List<String> keys, List<String> tokens,
                                                List<String> misses, Random random) throws Exception {
        Map<Operation, Measured> measured = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (Operation op : Operation.values()) {
                List<List<String>> lookups = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    List<String> these = new ArrayList<>();
                    for (int i = 0; i < LOOKUPS; i++) {
                        these.add(op == Operation.HIT ? tokens.get(random.nextInt(tokens.size()))
                                : misses.get(random.nextInt(misses.size())));
                    }
                    lookups.add(these);
                }
                long start = System.nanoTime();
                List<Future<long[]>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    List<String> these = lookups.get(c);
                    done.add(pool.submit(() -> op == Operation.PAGE ? walk(v.files(), keys) : lookUp(v.links(), these,
                            op == Operation.HIT)));
                }
                List<long[]> all = new ArrayList<>();
                for (Future<long[]> f : done) {
                    all.add(f.get());
                }
                long wall = System.nanoTime() - start;
                measured.put(op, new Measured(all.stream().flatMapToLong(Arrays::stream).toArray(), wall));
            }
        } finally {
            pool.shutdownNow();
        }
        return measured;
    }

    /** Every page of the prefix, each call timed; fails unless every key came once, in order. */
    private static long[] walk(ShardedFiles files, List<String> keys) {
        List<Long> nanos = new ArrayList<>();
        String cursor = null;
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            List<FileQueries.FileRow> page = files.list(BUCKET, PREFIX, cursor, PAGE);
            nanos.add(System.nanoTime() - start);
            for (FileQueries.FileRow row : page) {
                if (!row.key().equals(keys.get(seen))) {
                    throw new IllegalStateException("listing out of order at " + seen + ": " + row.key());
                }
                seen++;
            }
            if (page.size() < PAGE) {
                break;
            }
            cursor = page.get(page.size() - 1).key();
        }
        if (seen != keys.size()) {
            throw new IllegalStateException("listed " + seen + " of " + keys.size() + " files");
        }
        return nanos.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] lookUp(ShareLinkStore links, List<String> hashes, boolean found) {
        long[] nanos = new long[hashes.size()];
        for (int i = 0; i < hashes.size(); i++) {
            long start = System.nanoTime();
            boolean present = links.byTokenHash(hashes.get(i)).isPresent();
            nanos[i] = System.nanoTime() - start;
            if (present != found) {
                throw new IllegalStateException("token " + hashes.get(i) + (found ? " not found" : " found"));
            }
        }
        return nanos;
    }

    /** {@code count} files under the prefix, each in its shard; returns their keys in the listing's order. */
    private static List<String> loadFiles(ReadModelShards shards, int count) throws Exception {
        List<List<String>> perShard = new ArrayList<>();
        for (int i = 0; i < shards.count(); i++) {
            perShard.add(new ArrayList<>());
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = String.format(Locale.ROOT, "%sproject-%03d/file-%06d.pdf", PREFIX, i % 97, i);
            keys.add(key);
            perShard.get(shards.shardOf(BUCKET, key)).add(key);
        }
        Timestamp now = Timestamp.from(Instant.now());
        for (int shard = 0; shard < shards.count(); shard++) {
            try (Connection c = shards.primary(shard).getConnection();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO files (bucket, key, deleted, "
                         + "current_version_id, latest_version_id, version_count, delete_marker_count, size, e_tag, "
                         + "content_type, storage_class, last_modified) VALUES (?, ?, false, ?, ?, 1, 0, ?, ?, "
                         + "'application/pdf', 'STANDARD', ?)")) {
                int i = 0;
                for (String key : perShard.get(shard)) {
                    String version = "v-" + Integer.toHexString(key.hashCode());
                    insert.setString(1, BUCKET);
                    insert.setString(2, StoredKey.toColumn(key));
                    insert.setString(3, version);
                    insert.setString(4, version);
                    insert.setLong(5, 10_000L + key.length());
                    insert.setString(6, "\"etag-" + key.hashCode() + "\"");
                    insert.setTimestamp(7, now);
                    insert.addBatch();
                    if (++i % 500 == 0) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
        }
        keys.sort(ShardedFiles.KEY_ORDER);
        return keys;
    }

    /** {@code count} active links, each in the shard of its id; returns their tokens' hashes. */
    private static List<String> loadLinks(ReadModelShards shards, int count, List<String> keys, Random random)
            throws Exception {
        List<String> hashes = new ArrayList<>();
        Timestamp now = Timestamp.from(Instant.now());
        List<List<String[]>> perShard = new ArrayList<>();
        for (int i = 0; i < shards.count(); i++) {
            perShard.add(new ArrayList<>());
        }
        for (int i = 0; i < count; i++) {
            String id = "shl_bench" + i;
            String hash = ShareSecrets.tokenHash(ShareSecrets.newToken());
            hashes.add(hash);
            String key = keys.get(random.nextInt(keys.size()));
            perShard.get(shards.shardOfShareLink(id)).add(new String[] {id, key, hash});
        }
        for (int shard = 0; shard < shards.count(); shard++) {
            try (Connection c = shards.primary(shard).getConnection();
                 PreparedStatement insert = c.prepareStatement("INSERT INTO share_links (link_id, bucket, key, "
                         + "token_sha256, resolved_version_id, status, allow_download, created_by, created_at, "
                         + "updated_at) VALUES (?, ?, ?, ?, 'v1', 'ACTIVE', true, 'key:bench', ?, ?)")) {
                for (String[] link : perShard.get(shard)) {
                    insert.setString(1, link[0]);
                    insert.setString(2, BUCKET);
                    insert.setString(3, StoredKey.toColumn(link[1]));
                    insert.setString(4, link[2]);
                    insert.setTimestamp(5, now);
                    insert.setTimestamp(6, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        return hashes;
    }

    private static double percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static String spread(double[] values, String format) {
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", median(values),
                Arrays.stream(values).min().orElseThrow(), Arrays.stream(values).max().orElseThrow());
    }

    private static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
