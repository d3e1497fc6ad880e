package dev.filetrail.events.object;

import java.time.Instant;

/**
 * The order of one object's history, defined once for the topology's stores and the projector's read model: S3's
 * sequencer order ({@link Sequencer#sortable}), and versions known without a sequencer (backfilled listings) by
 * their creation time, before every sequenced one. One fixed-width string compares both with plain (C collation)
 * string order.
 */
public final class HistoryOrder {
    /** Digits of the creation time in microseconds since the epoch: every instant up to year 9999 fits. */
    private static final int TIME_WIDTH = 20;
    private static final String UNSEQUENCED = "0".repeat(Sequencer.SORTABLE_WIDTH);

    private HistoryOrder() {
    }

    /** The sort key of a version with {@code sequencer} (may be null) created at {@code createdAt} (may be null). */
    public static String key(String sequencer, Instant createdAt) {
        if (sequencer != null) {
            return Sequencer.sortable(sequencer);
        }
        long micros = createdAt == null ? 0
                : Math.max(0, createdAt.getEpochSecond() * 1_000_000L + createdAt.getNano() / 1_000);
        char[] key = new char[Sequencer.SORTABLE_WIDTH + TIME_WIDTH];
        UNSEQUENCED.getChars(0, Sequencer.SORTABLE_WIDTH, key, 0);
        for (int i = key.length - 1; i >= Sequencer.SORTABLE_WIDTH; i--) {
            key[i] = (char) ('0' + micros % 10);
            micros /= 10;
        }
        return new String(key);
    }
}
