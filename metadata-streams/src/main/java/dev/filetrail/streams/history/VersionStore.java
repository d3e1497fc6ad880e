package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.object.HistoryOrder;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.processing.ProcessingResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.filetrail.events.history.FileVersion;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-version state of every object in one task: versions in S3 order, a versionId index, per object the counts
 * of parked items and share links (only while there are any), and items parked for versions not seen yet. An
 * object's head is not stored apart: it is its newest entry plus the version and marker counts, which only the
 * newest entry's value carries (older entries keep the counts they had, which nothing reads). So a new version
 * writes two keys (its entry and its index entry) and no third per-object record. Every operation touches a bounded
 * number of keys (one reverse seek for the newest entry per record and object), whatever the object's number of
 * versions. Writes to {@code versions} are staged for the input record and written once at its end
 * ({@link #endRecord}), so that a version and the counts it carries as the newest entry are one write.
 */
public final class VersionStore {
    /**
     * The layout of {@link #VERSIONS}, {@link #INDEX} and {@link #OBJECTS} (keys and {@link StateCodec} values). It
     * is part of their names, and so of their changelog topics' names: a build with another layout never restores or
     * reads state written by this one (see {@code StateFormatGuard} and the module README, "State layout").
     */
    public static final int STATE_FORMAT = 2;
    public static final String VERSIONS = "versions-v" + STATE_FORMAT;
    public static final String INDEX = "version-index-v" + STATE_FORMAT;
    /** Per object, the counts of parked items and share links, while either is above zero. */
    public static final String OBJECTS = "objects-v" + STATE_FORMAT;
    public static final String PENDING = "pending";
    /** The names the same state had in layouts before {@link #STATE_FORMAT} (format 1 had no suffix). */
    public static final List<String> RETIRED = List.of("versions", "version-index", "heads");

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, byte[]> versions;
    private final KeyValueStore<String, String> index;
    private final KeyValueStore<String, byte[]> objects;
    private final KeyValueStore<String, Parked> pending;
    private final long parkedRetentionMs;
    private final ParkedExpiry onExpired;

    /** The timestamp of the input record being processed, and the stream time when it was taken. */
    private long recordTimeMs;
    private long streamTimeMs = Long.MIN_VALUE;

    /** Summaries read or changed in this input record, by object (see forget). */
    private final Map<String, ObjectSummary> memos = new HashMap<>();
    /** Objects whose head (counts or newest entry) changed in this record. */
    private final Set<String> headChanged = new HashSet<>();
    /** Writes to {@code versions} in this record, by store key; {@link #DELETED} for a delete. */
    private final Map<String, Staged> staged = new HashMap<>();
    /** Writes to {@code version-index} in this record (written with the versions, so a failed record leaves none). */
    private final Map<String, String> stagedIndex = new HashMap<>();
    private static final Staged DELETED = new Staged(null, null);

    private record Staged(StoredVersion version, String order) {
    }

    public VersionStore(KeyValueStore<String, byte[]> versions, KeyValueStore<String, String> index,
                        KeyValueStore<String, byte[]> objects, KeyValueStore<String, Parked> pending) {
        this(versions, index, objects, pending, Duration.ofMillis(Long.MAX_VALUE), (objectKey, versionId, item) -> {
        });
    }

    /** The processor's store: parked items older than {@code parkedRetention} in stream time are dropped. */
    public VersionStore(KeyValueStore<String, byte[]> versions, KeyValueStore<String, String> index,
                        KeyValueStore<String, byte[]> objects, KeyValueStore<String, Parked> pending,
                        Duration parkedRetention, ParkedExpiry onExpired) {
        this.versions = versions;
        this.index = index;
        this.objects = objects;
        this.pending = pending;
        this.parkedRetentionMs = parkedRetention.toMillis();
        this.onExpired = onExpired;
    }

    /** Told of each parked item dropped because the version it names did not arrive within the retention. */
    @FunctionalInterface
    public interface ParkedExpiry {
        void expired(String objectKey, String versionId, Parked item);
    }

    /**
     * Drops what this record read and staged without writing it; called before each input record, so nothing of a
     * record that failed (and was dead-lettered) is written or outlives it.
     */
    public void forget() {
        memos.clear();
        headChanged.clear();
        staged.clear();
        stagedIndex.clear();
    }

    /**
     * Ends one input record: writes the staged versions, the newest entry of each object whose head changed with
     * its counts (re-written only when the counts moved and the entry itself was not written anyway).
     */
    public void endRecord() {
        for (String objectKey : headChanged) {
            FileHead head = memos.get(objectKey).head();
            if (head == null) {
                continue;
            }
            String newestKey = StoreKeys.version(objectKey, memos.get(objectKey).latestOrder(), head.latestVersionId());
            if (staged.containsKey(newestKey)) {
                continue;
            }
            byte[] bytes = versions.get(newestKey);
            long[] counts = StateCodec.countsOf(bytes);
            if (counts == null || counts[0] != head.versionCount() || counts[1] != head.deleteMarkerCount()) {
                String order = memos.get(objectKey).latestOrder();
                staged.put(newestKey, new Staged(decode(objectKey, head.latestVersionId(), order, bytes), order));
            }
        }
        for (Map.Entry<String, Staged> e : staged.entrySet()) {
            Staged w = e.getValue();
            if (w == DELETED) {
                versions.delete(e.getKey());
                continue;
            }
            String objectKey = objectKeyOf(w.version().version());
            ObjectSummary s = memos.get(objectKey);
            FileHead head = s == null ? null : s.head();
            boolean newest = head != null && w.order().equals(s.latestOrder())
                    && w.version().version().versionId().equals(head.latestVersionId());
            versions.put(e.getKey(), StateCodec.encodeVersion(w.version(), w.order(),
                    newest ? new long[] {head.versionCount(), head.deleteMarkerCount()} : null));
        }
        stagedIndex.forEach(index::put);
        forget();
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
        String key = StoreKeys.member(objectKey, versionId);
        String written = stagedIndex.get(key);
        return VersionRef.decode(written != null ? written : index.get(key));
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
        String storeKey = StoreKeys.version(objectKey, ref.order(), versionId);
        Staged w = staged.get(storeKey);
        if (w != null) {
            return w.version();
        }
        byte[] bytes = versions.get(storeKey);
        return bytes == null ? null : decode(objectKey, versionId, ref.order(), bytes);
    }

    /** The store's order key of a version: S3's order ({@link HistoryOrder}) in its packed form. */
    public static String order(String sequencer, Instant createdAt) {
        return StoreKeys.packOrder(HistoryOrder.key(sequencer, createdAt));
    }

    /** Stores a version under its {@link #order} key. */
    public void put(String objectKey, String order, StoredVersion version) {
        summary(objectKey); // the head before this record's writes, for the rest of the record
        String versionId = version.version().versionId();
        staged.put(StoreKeys.version(objectKey, order, versionId), new Staged(version, order));
        stagedIndex.put(StoreKeys.member(objectKey, versionId), VersionRef.live(order).encode());
    }

    /** Replaces a version's value in place (same order). */
    public void update(String objectKey, VersionRef ref, StoredVersion version) {
        summary(objectKey);
        staged.put(StoreKeys.version(objectKey, ref.order(), version.version().versionId()),
                new Staged(version, ref.order()));
    }

    public void remove(String objectKey, String order, String versionId, String removedSequencer) {
        summary(objectKey);
        staged.put(StoreKeys.version(objectKey, order, versionId), DELETED);
        markRemoved(objectKey, versionId, removedSequencer);
    }

    public void markRemoved(String objectKey, String versionId, String removedSequencer) {
        stagedIndex.put(StoreKeys.member(objectKey, versionId), VersionRef.removedAt(removedSequencer).encode());
    }

    /** Deletes one entry without leaving a removal mark (the unversioned "null" entry being replaced). */
    public void drop(String objectKey, String order, String versionId) {
        summary(objectKey);
        staged.put(StoreKeys.version(objectKey, order, versionId), DELETED);
    }

    /** The newest entry (version or marker) of the object and its order key: one reverse seek. */
    public Newest newest(String objectKey) {
        Stored found = newestStored(objectKey);
        return found == null ? null : new Newest(found.version(), found.order());
    }

    /** The newest entry with the counts its value carries (null when it carries none). */
    private record Stored(StoredVersion version, String order, long[] counts) {
    }

    private Stored newestStored(String objectKey) {
        String prefix = StoreKeys.prefix(objectKey);
        String bestStaged = null;
        for (Map.Entry<String, Staged> e : staged.entrySet()) {
            if (e.getValue() != DELETED && e.getKey().startsWith(prefix)
                    && (bestStaged == null || e.getKey().compareTo(bestStaged) > 0)) {
                bestStaged = e.getKey();
            }
        }
        try (KeyValueIterator<String, byte[]> it = versions.reverseRange(prefix, StoreKeys.prefixEnd(objectKey))) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (bestStaged != null && kv.key.compareTo(bestStaged) < 0) {
                    break;
                }
                if (staged.containsKey(kv.key)) {
                    continue; // re-written or deleted in this record: the staged form counts
                }
                String versionId = StoreKeys.versionIdOf(objectKey, kv.key);
                String order = StoreKeys.orderOf(objectKey, kv.key);
                return new Stored(decode(objectKey, versionId, order, kv.value), order, StateCodec.countsOf(kv.value));
            }
        }
        if (bestStaged == null) {
            return null;
        }
        Staged w = staged.get(bestStaged);
        // A staged entry carries no counts yet: they are the ones the record's head holds, if any.
        return new Stored(w.version(), w.order(), null);
    }

    /** The newest entry and where it sits in the order. */
    public record Newest(StoredVersion version, String order) {
    }

    /** All entries of an object, oldest first (for tests and tools; the processor never walks a whole object). */
    public List<StoredVersion> all(String objectKey) {
        java.util.TreeMap<String, StoredVersion> out = new java.util.TreeMap<>();
        try (KeyValueIterator<String, byte[]> it = versions.prefixScan(StoreKeys.prefix(objectKey), KEYS)) {
            it.forEachRemaining(kv -> out.put(kv.key, decode(objectKey, StoreKeys.versionIdOf(objectKey, kv.key),
                    StoreKeys.orderOf(objectKey, kv.key), kv.value)));
        }
        staged.forEach((key, w) -> {
            if (key.startsWith(StoreKeys.prefix(objectKey))) {
                if (w == DELETED) {
                    out.remove(key);
                } else {
                    out.put(key, w.version());
                }
            }
        });
        return new ArrayList<>(out.values());
    }

    public FileHead head(String objectKey) {
        return summary(objectKey).head();
    }

    /** Order key of the newest entry, or null when the object has none. */
    public String latestOrder(String objectKey) {
        return summary(objectKey).latestOrder();
    }

    /**
     * Notes the head and the order key of the newest entry it was computed from; its counts are written into that
     * entry at the end of the record.
     */
    public void putHead(String objectKey, FileHead head, String latestOrder) {
        ObjectSummary s = summary(objectKey);
        boolean exists = head != null && head.exists();
        ObjectSummary next = new ObjectSummary(exists ? head : null, exists ? latestOrder : null, s.parked(),
                s.links());
        if (!next.equals(s)) {
            memos.put(objectKey, next);
            headChanged.add(objectKey);
        }
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

    /**
     * The object's summary: its head (from the newest entry and the counts that entry carries), the newest entry's
     * order, and the parked and link counts; {@link ObjectSummary#EMPTY} when it has none.
     */
    public ObjectSummary summary(String objectKey) {
        ObjectSummary memo = memos.get(objectKey);
        if (memo != null) {
            return memo;
        }
        byte[] bytes = objects.get(objectKey);
        int[] counts = bytes == null ? new int[2] : StateCodec.decodeObjectCounts(bytes);
        Stored newest = newestStored(objectKey);
        FileHead head = null;
        String latestOrder = null;
        if (newest != null) {
            if (newest.counts() == null) {
                throw new IllegalStateException("the newest entry of " + objectKey + " carries no counts");
            }
            head = headOf(newest.version().version(), newest.counts()[0], newest.counts()[1]);
            latestOrder = newest.order();
        }
        ObjectSummary s = new ObjectSummary(head, latestOrder, counts[0], counts[1]);
        memos.put(objectKey, s);
        return s;
    }

    /** The head an object with this newest entry and these counts has (the one rule, see VersionHistory). */
    public static FileHead headOf(FileVersion v, long versionCount, long markerCount) {
        return v.deleteMarker()
                ? new FileHead(v.bucket(), v.key(), true, null, versionCount, markerCount, null, null, null, null,
                v.createdAt(), v.versionId())
                : new FileHead(v.bucket(), v.key(), false, v.versionId(), versionCount, markerCount, v.size(),
                v.eTag(), v.derivatives() == null ? null : v.derivatives().contentType(), v.storageClass(),
                v.createdAt(), v.versionId());
    }

    /** Changes the parked or link count (written now: those are rare, and the head is not in that record). */
    private void write(String objectKey, ObjectSummary s) {
        ObjectSummary current = summary(objectKey);
        if (s.equals(current)) {
            return;
        }
        if (s.parked() != current.parked() || s.links() != current.links()) {
            if (s.parked() == 0 && s.links() == 0) {
                objects.delete(objectKey);
            } else {
                objects.put(objectKey, StateCodec.encodeObjectCounts(s.parked(), s.links()));
            }
        }
        memos.put(objectKey, s);
    }

    private static String objectKeyOf(FileVersion v) {
        return dev.filetrail.events.Topics.objectKey(v.bucket(), v.key());
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
