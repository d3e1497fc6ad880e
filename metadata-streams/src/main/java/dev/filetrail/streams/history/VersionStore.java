package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.object.HistoryOrder;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-version state of every object in one task: versions in S3 order, a versionId index, a constant-size
 * summary per object (head, newest order, parked and link counts), and items parked for versions not seen yet.
 * Every operation touches a bounded number of keys (at most one seek for the newest entry), whatever the object's
 * number of versions; the summary's counts spare the common event the scans of {@code pending} and {@code links}.
 */
public final class VersionStore {
    /**
     * The layout of {@link #VERSIONS}, {@link #INDEX} and {@link #HEADS} (keys and {@link StateCodec} values). It is
     * part of their names, and so of their changelog topics' names: a build with another layout never restores or
     * reads state written by this one (see {@code StateFormatGuard} and the module README, "State layout").
     */
    public static final int STATE_FORMAT = 2;
    public static final String VERSIONS = "versions-v" + STATE_FORMAT;
    public static final String INDEX = "version-index-v" + STATE_FORMAT;
    /** Per-object {@link ObjectSummary} (the name predates the counts it now carries). */
    public static final String HEADS = "heads-v" + STATE_FORMAT;
    /** The names the same stores had in layouts before {@link #STATE_FORMAT} (format 1 had no suffix). */
    public static final java.util.List<String> RETIRED = java.util.List.of("versions", "version-index", "heads");
    public static final String PENDING = "pending";

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, byte[]> versions;
    private final KeyValueStore<String, String> index;
    private final KeyValueStore<String, byte[]> summaries;
    private final KeyValueStore<String, Parked> pending;
    private final long parkedRetentionMs;
    private final ParkedExpiry onExpired;

    /** The timestamp of the input record being processed, and the stream time when it was taken. */
    private long recordTimeMs;
    private long streamTimeMs = Long.MIN_VALUE;

    /** The summary last read or written; only ever one object's, valid within one input record (see forget). */
    private String memoKey;
    private ObjectSummary memo;

    public VersionStore(KeyValueStore<String, byte[]> versions, KeyValueStore<String, String> index,
                        KeyValueStore<String, byte[]> summaries, KeyValueStore<String, Parked> pending) {
        this(versions, index, summaries, pending, Duration.ofMillis(Long.MAX_VALUE), (objectKey, versionId, item) -> {
        });
    }

    /** The processor's store: parked items older than {@code parkedRetention} in stream time are dropped. */
    public VersionStore(KeyValueStore<String, byte[]> versions, KeyValueStore<String, String> index,
                        KeyValueStore<String, byte[]> summaries, KeyValueStore<String, Parked> pending,
                        Duration parkedRetention, ParkedExpiry onExpired) {
        this.versions = versions;
        this.index = index;
        this.summaries = summaries;
        this.pending = pending;
        this.parkedRetentionMs = parkedRetention.toMillis();
        this.onExpired = onExpired;
    }

    /** Told of each parked item dropped because the version it names did not arrive within the retention. */
    @FunctionalInterface
    public interface ParkedExpiry {
        void expired(String objectKey, String versionId, Parked item);
    }

    /** Drops the remembered summary; called before each input record so nothing outlives a rollback. */
    public void forget() {
        memoKey = null;
        memo = null;
    }

    /**
     * Starts one input record: forgets the summary, and notes the record's timestamp (what items it parks are
     * aged from) and the task's stream time (what decides which parked items have expired).
     */
    public void beginRecord(long recordTimeMs, long streamTimeMs) {
        forget();
        this.recordTimeMs = recordTimeMs;
        this.streamTimeMs = streamTimeMs;
    }

    public VersionRef ref(String objectKey, String versionId) {
        return VersionRef.decode(index.get(StoreKeys.member(objectKey, versionId)));
    }

    /** The live version with this id, or null when unknown or removed. */
    public StoredVersion find(String objectKey, String versionId) {
        return find(objectKey, ref(objectKey, versionId), versionId);
    }

    /** The live version with this id when its index entry is already known (saves the index read). */
    public StoredVersion find(String objectKey, VersionRef ref, String versionId) {
        if (ref == null || ref.removed()) {
            return null;
        }
        byte[] bytes = versions.get(StoreKeys.version(objectKey, ref.order(), versionId));
        return bytes == null ? null : decode(objectKey, versionId, ref.order(), bytes);
    }

    /** The store's order key of a version: S3's order ({@link HistoryOrder}) in its packed form. */
    public static String order(String sequencer, Instant createdAt) {
        return StoreKeys.packOrder(HistoryOrder.key(sequencer, createdAt));
    }

    /** Stores a version under its {@link #order} key. */
    public void put(String objectKey, String order, StoredVersion version) {
        String versionId = version.version().versionId();
        versions.put(StoreKeys.version(objectKey, order, versionId), StateCodec.encodeVersion(version, order));
        index.put(StoreKeys.member(objectKey, versionId), VersionRef.live(order).encode());
    }

    /** Replaces a version's value in place (same order). */
    public void update(String objectKey, VersionRef ref, StoredVersion version) {
        versions.put(StoreKeys.version(objectKey, ref.order(), version.version().versionId()),
                StateCodec.encodeVersion(version, ref.order()));
    }

    public void remove(String objectKey, String order, String versionId, String removedSequencer) {
        versions.delete(StoreKeys.version(objectKey, order, versionId));
        markRemoved(objectKey, versionId, removedSequencer);
    }

    public void markRemoved(String objectKey, String versionId, String removedSequencer) {
        index.put(StoreKeys.member(objectKey, versionId), VersionRef.removedAt(removedSequencer).encode());
    }

    /** Deletes one entry without leaving a removal mark (the unversioned "null" entry being replaced). */
    public void drop(String objectKey, String order, String versionId) {
        versions.delete(StoreKeys.version(objectKey, order, versionId));
    }

    /** The newest entry (version or marker) of the object and its order key: one reverse seek. */
    public Newest newest(String objectKey) {
        try (KeyValueIterator<String, byte[]> it =
                     versions.reverseRange(StoreKeys.prefix(objectKey), StoreKeys.prefixEnd(objectKey))) {
            if (!it.hasNext()) {
                return null;
            }
            KeyValue<String, byte[]> kv = it.next();
            String versionId = StoreKeys.versionIdOf(objectKey, kv.key);
            String order = StoreKeys.orderOf(objectKey, kv.key);
            return new Newest(decode(objectKey, versionId, order, kv.value), order);
        }
    }

    /** The newest entry and where it sits in the order. */
    public record Newest(StoredVersion version, String order) {
    }

    /** All entries of an object, oldest first (for tests and tools; the processor never walks a whole object). */
    public List<StoredVersion> all(String objectKey) {
        List<StoredVersion> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = versions.prefixScan(StoreKeys.prefix(objectKey), KEYS)) {
            it.forEachRemaining(kv -> out.add(decode(objectKey, StoreKeys.versionIdOf(objectKey, kv.key),
                    StoreKeys.orderOf(objectKey, kv.key), kv.value)));
        }
        return out;
    }

    public FileHead head(String objectKey) {
        return summary(objectKey).head();
    }

    /** Order key of the newest entry, or null when the object has none. */
    public String latestOrder(String objectKey) {
        return summary(objectKey).latestOrder();
    }

    /** Stores the head and the order key of the newest entry it was computed from. */
    public void putHead(String objectKey, FileHead head, String latestOrder) {
        ObjectSummary s = summary(objectKey);
        boolean exists = head != null && head.exists();
        write(objectKey, new ObjectSummary(exists ? head : null, exists ? latestOrder : null, s.parked(), s.links()));
    }

    /** Whether any share link was ever created for the object (links are never deleted). */
    public boolean hasLinks(String objectKey) {
        return summary(objectKey).links() > 0;
    }

    public void linkAdded(String objectKey) {
        ObjectSummary s = summary(objectKey);
        write(objectKey, new ObjectSummary(s.head(), s.latestOrder(), s.parked(), s.links() + 1));
    }

    /** Parks an event or a result (one of them is null) until its version arrives. */
    public void park(String objectKey, String versionId, Instant time, String id, ObjectEvent event,
                     ProcessingResult result) {
        Parked item = new Parked(event, result, time, Instant.ofEpochMilli(recordTimeMs));
        String key = StoreKeys.parked(objectKey, versionId, time, id);
        if (pending.get(key) == null) {
            ObjectSummary s = summary(objectKey);
            write(objectKey, new ObjectSummary(s.head(), s.latestOrder(), s.parked() + 1, s.links()));
        }
        pending.put(key, item);
    }

    /** Removes and returns everything parked for one version, in the order of the facts' times. */
    public List<Parked> unpark(String objectKey, String versionId) {
        ObjectSummary s = summary(objectKey);
        if (s.parked() == 0) {
            return List.of();
        }
        List<KeyValue<String, Parked>> found = new ArrayList<>();
        try (KeyValueIterator<String, Parked> it =
                     pending.prefixScan(StoreKeys.parkedPrefix(objectKey, versionId), KEYS)) {
            it.forEachRemaining(found::add);
        }
        if (found.isEmpty()) {
            return List.of();
        }
        List<Parked> items = new ArrayList<>(found.size());
        long cutoff = expiryCutoff(streamTimeMs);
        for (KeyValue<String, Parked> kv : found) {
            pending.delete(kv.key);
            // The punctuator may not have run yet; deciding expiry here by the same stream-time rule makes what
            // attaches independent of when punctuations fall, so a replay of the log gives the same outputs.
            if (kv.value.parkedAtMs() < cutoff) {
                onExpired.expired(objectKey, versionId, kv.value);
            } else {
                items.add(kv.value);
            }
        }
        write(objectKey, new ObjectSummary(s.head(), s.latestOrder(), Math.max(0, s.parked() - found.size()),
                s.links()));
        return items;
    }

    /**
     * Removes every parked item older than the retention at {@code streamTimeMs}, keeping each object's parked count,
     * and reports each one; returns how many. Scans all of {@code pending}, which holds only items waiting for a
     * version (few, and bounded by the retention), and emits nothing.
     */
    public int expireParked(long streamTimeMs) {
        long cutoff = expiryCutoff(streamTimeMs);
        if (cutoff == Long.MIN_VALUE) {
            return 0;
        }
        List<KeyValue<String, Parked>> expired = new ArrayList<>();
        try (KeyValueIterator<String, Parked> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, Parked> kv = it.next();
                if (kv.value.parkedAtMs() < cutoff) {
                    expired.add(kv);
                }
            }
        }
        forget();
        for (KeyValue<String, Parked> kv : expired) {
            String[] objectAndVersion = StoreKeys.objectAndVersionOfParked(kv.key);
            String objectKey = objectAndVersion[0];
            String versionId = objectAndVersion[1];
            pending.delete(kv.key);
            ObjectSummary s = summary(objectKey);
            write(objectKey, new ObjectSummary(s.head(), s.latestOrder(), Math.max(0, s.parked() - 1), s.links()));
            onExpired.expired(objectKey, versionId, kv.value);
        }
        forget();
        return expired.size();
    }

    /** Items parked before this time have expired at {@code streamTimeMs}; MIN_VALUE when none can have. */
    private long expiryCutoff(long streamTimeMs) {
        if (streamTimeMs < 0 || parkedRetentionMs == Long.MAX_VALUE) {
            return Long.MIN_VALUE;
        }
        return streamTimeMs - parkedRetentionMs;
    }

    /** Drops whatever is parked for a version that will never come back. */
    public int discardParked(String objectKey, String versionId) {
        return unpark(objectKey, versionId).size();
    }

    /** The object's summary; {@link ObjectSummary#EMPTY} when it has none. */
    public ObjectSummary summary(String objectKey) {
        if (objectKey.equals(memoKey)) {
            return memo;
        }
        byte[] bytes = summaries.get(objectKey);
        ObjectSummary s = bytes == null ? ObjectSummary.EMPTY
                : StateCodec.decodeSummary(bucketOf(objectKey), keyOf(objectKey), bytes);
        memoKey = objectKey;
        memo = s;
        return s;
    }

    private void write(String objectKey, ObjectSummary s) {
        ObjectSummary current = summary(objectKey);
        if (s.equals(current)) {
            return;
        }
        if (s.isEmpty()) {
            summaries.delete(objectKey);
        } else {
            summaries.put(objectKey, StateCodec.encodeSummary(s));
        }
        memoKey = objectKey;
        memo = s;
    }

    private static StoredVersion decode(String objectKey, String versionId, String order, byte[] bytes) {
        return StateCodec.decodeVersion(bucketOf(objectKey), keyOf(objectKey), versionId, order, bytes);
    }

    /** Bucket names cannot contain '/', so the first one separates bucket and key in {@code bucket/key}. */
    private static String bucketOf(String objectKey) {
        return objectKey.substring(0, objectKey.indexOf('/'));
    }

    private static String keyOf(String objectKey) {
        return objectKey.substring(objectKey.indexOf('/') + 1);
    }
}
