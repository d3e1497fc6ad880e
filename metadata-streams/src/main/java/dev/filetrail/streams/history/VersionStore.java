package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileHead;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-version state of every object in one task: versions in S3 order, a versionId index, a constant-size
 * head per object, and items parked for versions not seen yet. Every operation touches a bounded number of keys
 * (at most one seek for the newest entry), whatever the object's number of versions.
 */
public final class VersionStore {
    public static final String VERSIONS = "versions";
    public static final String INDEX = "version-index";
    public static final String HEADS = "heads";
    public static final String PENDING = "pending";

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, StoredVersion> versions;
    private final KeyValueStore<String, String> index;
    private final KeyValueStore<String, FileHead> heads;
    private final KeyValueStore<String, Parked> pending;

    public VersionStore(KeyValueStore<String, StoredVersion> versions, KeyValueStore<String, String> index,
                        KeyValueStore<String, FileHead> heads, KeyValueStore<String, Parked> pending) {
        this.versions = versions;
        this.index = index;
        this.heads = heads;
        this.pending = pending;
    }

    public VersionRef ref(String objectKey, String versionId) {
        return VersionRef.decode(index.get(StoreKeys.member(objectKey, versionId)));
    }

    /** The live version with this id, or null when unknown or removed. */
    public StoredVersion find(String objectKey, String versionId) {
        VersionRef ref = ref(objectKey, versionId);
        return ref == null || ref.removed() ? null : versions.get(StoreKeys.version(objectKey, ref.order(), versionId));
    }

    public void put(String objectKey, String order, StoredVersion version) {
        String versionId = version.version().versionId();
        versions.put(StoreKeys.version(objectKey, order, versionId), version);
        index.put(StoreKeys.member(objectKey, versionId), VersionRef.live(order).encode());
    }

    /** Replaces a version's value in place (same order). */
    public void update(String objectKey, VersionRef ref, StoredVersion version) {
        versions.put(StoreKeys.version(objectKey, ref.order(), version.version().versionId()), version);
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

    /** The newest entry (version or marker) of the object: one reverse seek. */
    public StoredVersion newest(String objectKey) {
        try (KeyValueIterator<String, StoredVersion> it =
                     versions.reverseRange(StoreKeys.prefix(objectKey), StoreKeys.prefixEnd(objectKey))) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    /** All entries of an object, oldest first (for tests and tools; the processor never walks a whole object). */
    public List<StoredVersion> all(String objectKey) {
        List<StoredVersion> out = new ArrayList<>();
        try (KeyValueIterator<String, StoredVersion> it = versions.prefixScan(StoreKeys.prefix(objectKey), KEYS)) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    public FileHead head(String objectKey) {
        return heads.get(objectKey);
    }

    public void putHead(String objectKey, FileHead head) {
        if (head == null || !head.exists()) {
            heads.delete(objectKey);
        } else {
            heads.put(objectKey, head);
        }
    }

    public void park(String key, Parked item) {
        pending.put(key, item);
    }

    /** Removes and returns everything parked for one version, in the order of the facts' times. */
    public List<Parked> unpark(String objectKey, String versionId) {
        List<KeyValue<String, Parked>> found = new ArrayList<>();
        try (KeyValueIterator<String, Parked> it =
                     pending.prefixScan(StoreKeys.parkedPrefix(objectKey, versionId), KEYS)) {
            it.forEachRemaining(found::add);
        }
        List<Parked> items = new ArrayList<>(found.size());
        for (KeyValue<String, Parked> kv : found) {
            pending.delete(kv.key);
            items.add(kv.value);
        }
        return items;
    }

    /** Drops whatever is parked for a version that will never come back. */
    public int discardParked(String objectKey, String versionId) {
        return unpark(objectKey, versionId).size();
    }
}
