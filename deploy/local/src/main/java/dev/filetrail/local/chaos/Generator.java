package dev.filetrail.local.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keeps writing to the bucket at a steady rate: uploads of new keys, overwrites, deletes (delete markers) and
 * removals of old versions, on a fixed set of keys (a few with spaces, {@code +}, {@code %} and non-ASCII), and
 * remembers each key's versions in the order S3 made them.
 */
final class Generator implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Generator.class);

    /** One version as S3 made it; {@code removed} once a removal of that version succeeded. */
    record Made(String versionId, boolean deleteMarker, boolean removed) {
    }

    private final S3Client s3;
    private final String bucket;
    private final List<String> keys;
    private final Random random;
    private final long pauseMillis;
    private final Map<String, List<Made>> made = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> operations = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    Generator(S3Client s3, String bucket, int keyCount, long seed, double ratePerSecond) {
        this.s3 = s3;
        this.bucket = bucket;
        this.random = new Random(seed);
        this.pauseMillis = Math.max(1, (long) (1000 / ratePerSecond));
        List<String> names = new ArrayList<>();
        String[] awkward = {"a b+c%20d.txt", "über/naïve résumé.txt", "dir/sub dir/%2B plus.txt", "日本語/ファイル.txt"};
        for (int i = 0; i < keyCount; i++) {
            names.add("chaos/" + (i < awkward.length ? awkward[i] : "file-" + i + ".txt"));
        }
        this.keys = List.copyOf(names);
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                step();
            } catch (RuntimeException e) {
                count("failed");
                log.warn("chaos operation failed", e);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void step() {
        String key = keys.get(random.nextInt(keys.size()));
        List<Made> versions = made.computeIfAbsent(key, k -> new ArrayList<>());
        int roll = random.nextInt(100);
        List<Made> removable = versions.stream().filter(m -> !m.removed()).toList();
        if (versions.isEmpty() || roll < 55) {
            String body = "chaos " + key + " #" + versions.size() + " " + random.nextLong();
            String versionId = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body)).versionId();
            versions.add(new Made(versionId, false, false));
            count(versions.size() == 1 ? "upload" : "overwrite");
        } else if (roll < 85 || removable.size() < 2) {
            String versionId = s3.deleteObject(b -> b.bucket(bucket).key(key)).versionId();
            versions.add(new Made(versionId, true, false));
            count("delete");
        } else {
            // An old version (never the newest): S3 removes it for good, ObjectRemoved:Delete.
            Made old = removable.get(random.nextInt(removable.size() - 1));
            s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(old.versionId()));
            versions.set(versions.indexOf(old), new Made(old.versionId(), old.deleteMarker(), true));
            count("remove-version");
        }
    }

    private void count(String kind) {
        operations.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    void stop() {
        stopped = true;
    }

    List<String> keys() {
        return keys;
    }

    /** The versions S3 made of {@code key}, oldest first, removed ones included (flagged). */
    List<Made> made(String key) {
        return List.copyOf(made.getOrDefault(key, List.of()));
    }

    Map<String, Long> operations() {
        Map<String, Long> counts = new TreeMap<>();
        operations.forEach((kind, n) -> counts.put(kind, n.get()));
        return counts;
    }
}
