package dev.filetrail.api.shards;

import dev.filetrail.api.StoredKey;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileReads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * File reads over a sharded read model. A single-key read goes to the file's shard's primary (it may follow the
 * caller's own write); a bucket listing, which tolerates lag, asks every shard at once ({@link ShardFanOut}; its
 * replica where there is one) for its first {@code limit} keys after the cursor and merges them by key. Each key
 * lives in exactly one shard, so the merged first {@code limit} are the bucket's first {@code limit} keys after the
 * cursor: the cursor stays the last key returned, valid across shards, and pages have neither duplicates nor gaps.
 * With one shard (and no replica) every read is the one database's, as before shards.
 */
public final class ShardedFiles implements FileReads {
    /**
     * The order of the key columns' {@code "C"} collation: UTF-8 byte order of the stored form, which is code point
     * order (Java's {@code String.compareTo} compares UTF-16 units, which differs above U+FFFF).
     */
    public static final Comparator<String> KEY_ORDER = (a, b) -> {
        String x = StoredKey.toColumn(a);
        String y = StoredKey.toColumn(b);
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int cx = x.codePointAt(i);
            int cy = y.codePointAt(j);
            if (cx != cy) {
                return Integer.compare(cx, cy);
            }
            i += Character.charCount(cx);
            j += Character.charCount(cy);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    };

    private final ReadModelShards shards;
    private final ShardFanOut fanOut;
    private final List<FileQueries> primaries = new ArrayList<>();
    /** Where listings read: each shard's replica where it has one, or its primary ({@link #onPrimaries()}). */
    private final List<FileQueries> listings = new ArrayList<>();

    /** Over {@code shards}, listings asking them through {@code fanOut}. */
    public ShardedFiles(ReadModelShards shards, ShardFanOut fanOut) {
        this(shards, fanOut, true);
    }

    private ShardedFiles(ReadModelShards shards, ShardFanOut fanOut, boolean listOnReplicas) {
        this.shards = shards;
        this.fanOut = fanOut;
        for (int i = 0; i < shards.count(); i++) {
            FileQueries primary = new FileQueries(shards.primary(i));
            primaries.add(primary);
            listings.add(listOnReplicas && shards.hasReplica(i) ? new FileQueries(shards.lagTolerant(i)) : primary);
        }
    }

    /**
     * The same reads with listings on the primaries too: for a caller that acts on what it lists (a rewind's plan),
     * where a replica's lag would leave out a file just written.
     */
    public ShardedFiles onPrimaries() {
        return new ShardedFiles(shards, fanOut, false);
    }

    /** The queries of the shard holding {@code bucket/key}, on its primary: history, file, versions, URLs. */
    public FileQueries forFile(String bucket, String key) {
        return primaries.get(shards.shardOf(bucket, key));
    }

    /** Current files under {@code prefix} after {@code afterKey}, in key order, from every shard. */
    @Override
    public List<FileQueries.FileRow> list(String bucket, String prefix, String afterKey, int limit) {
        return merge(q -> q.list(bucket, prefix, afterKey, limit), FileQueries.FileRow::key, limit);
    }

    /** The files that existed at {@code at}, after {@code afterKey}, in key order, from every shard. */
    @Override
    public List<FileQueries.AsOfRow> listAsOf(String bucket, String prefix, String afterKey, Instant at, int limit) {
        return merge(q -> q.listAsOf(bucket, prefix, afterKey, at, limit), FileQueries.AsOfRow::key, limit);
    }

    @Override
    public Optional<FileQueries.VersionRow> versionAsOf(String bucket, String key, Instant at) {
        return forFile(bucket, key).versionAsOf(bucket, key, at);
    }

    @Override
    public Optional<FileQueries.FileRow> file(String bucket, String key) {
        return forFile(bucket, key).file(bucket, key);
    }

    @Override
    public Optional<FileQueries.FileWithCurrent> fileWithCurrent(String bucket, String key) {
        return forFile(bucket, key).fileWithCurrent(bucket, key);
    }

    @Override
    public Optional<FileQueries.VersionRow> version(String bucket, String key, String versionId) {
        return forFile(bucket, key).version(bucket, key, versionId);
    }

    @Override
    public Optional<FileQueries.VersionRow> versionInAnyState(String bucket, String key, String versionId) {
        return forFile(bucket, key).versionInAnyState(bucket, key, versionId);
    }

    @Override
    public List<FileQueries.VersionChangeRow> versionChanges(String bucket, String key, String versionId,
                                                             int afterPartition, long afterOffset, int limit) {
        return forFile(bucket, key).versionChanges(bucket, key, versionId, afterPartition, afterOffset, limit);
    }

    @Override
    public List<FileQueries.VersionRow> history(String bucket, String key, String afterOrdering,
                                                String afterVersionId, int limit, boolean includeRemoved) {
        return forFile(bucket, key).history(bucket, key, afterOrdering, afterVersionId, limit, includeRemoved);
    }

    private <T> List<T> merge(Function<FileQueries, List<T>> page, Function<T, String> key, int limit) {
        if (listings.size() == 1) {
            return page.apply(listings.get(0));
        }
        List<T> all = new ArrayList<>();
        fanOut.each(listings, page).forEach(all::addAll);
        all.sort(Comparator.comparing(key, KEY_ORDER));
        return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    }
}
