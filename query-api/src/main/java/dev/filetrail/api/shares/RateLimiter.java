package dev.filetrail.api.shares;

import java.util.LinkedHashMap;
import java.util.Map;

/** A token bucket per key (a client address, a link id), bounded in the number of keys it remembers. */
public final class RateLimiter {
    private static final int MAX_KEYS = 10_000;
    private final double capacity;
    private final double refillPerNano;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public RateLimiter(int perMinute) {
        this.capacity = perMinute;
        this.refillPerNano = perMinute / 60e9;
    }

    /** Takes one token for {@code key}; false when its bucket is empty. */
    public synchronized boolean tryAcquire(String key, long nowNanos) {
        double[] bucket = refill(key, nowNanos);
        if (bucket[0] < 1) {
            return false;
        }
        bucket[0] -= 1;
        return true;
    }

    /** Gives back a token taken for an attempt that turned out not to count (a right password). */
    public synchronized void refund(String key) {
        double[] bucket = buckets.get(key);
        if (bucket != null) {
            bucket[0] = Math.min(capacity, bucket[0] + 1);
        }
    }

    /** Seconds until the key's next token. */
    public synchronized long retryAfterSeconds(String key) {
        double[] bucket = buckets.get(key);
        double missing = bucket == null ? 0 : Math.max(0, 1 - bucket[0]);
        return Math.max(1, (long) Math.ceil(missing / (refillPerNano * 1e9)));
    }

    private double[] refill(String key, long nowNanos) {
        double[] bucket = buckets.computeIfAbsent(key, c -> new double[] {capacity, nowNanos});
        bucket[0] = Math.min(capacity, bucket[0] + (nowNanos - bucket[1]) * refillPerNano);
        bucket[1] = nowNanos;
        return bucket;
    }
}
