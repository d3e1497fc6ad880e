package dev.filetrail.streams;

import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Ids (event, result, command) seen within the dedupe horizon, in a segmented window store so that old ids expire
 * by dropping whole segments instead of growing forever. Beyond the horizon a re-delivery is still harmless for
 * history (creations and removals are idempotent by versionId) but would be counted again by share-link access.
 */
public final class SeenIds {
    public static final String STORE = "seen-ids";

    private final WindowStore<String, Long> store;
    private final long horizonMs;

    public SeenIds(WindowStore<String, Long> store, long horizonMs) {
        this.store = store;
        this.horizonMs = horizonMs;
    }

    /** Whether the id was seen within the horizon either side of {@code timestamp}. */
    public boolean seen(String id, long timestamp) {
        long from = Math.max(0, timestamp - horizonMs);
        try (WindowStoreIterator<Long> it = store.fetch(id, from, timestamp + horizonMs)) {
            return it.hasNext();
        }
    }

    /** Records the id at {@code timestamp} (once the fact it names has been applied). */
    public void remember(String id, long timestamp) {
        store.put(id, timestamp, timestamp);
    }
}
