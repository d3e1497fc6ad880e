package dev.filetrail.api.shares;

import java.util.LinkedHashMap;
import java.util.Map;

/** A token bucket per client address, bounded in the number of addresses it remembers. */
public final class ClientRateLimiter {
    private static final int MAX_CLIENTS = 10_000;
    private final double capacity;
    private final double refillPerNano;
    private final Map<String, double[]> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    public ClientRateLimiter(int perMinute) {
        this.capacity = perMinute;
        this.refillPerNano = perMinute / 60e9;
    }

    /** Takes one token for {@code client}; false when its bucket is empty. */
    public synchronized boolean tryAcquire(String client, long nowNanos) {
        double[] bucket = buckets.computeIfAbsent(client, c -> new double[] {capacity, nowNanos});
        bucket[0] = Math.min(capacity, bucket[0] + (nowNanos - bucket[1]) * refillPerNano);
        bucket[1] = nowNanos;
        if (bucket[0] < 1) {
            return false;
        }
        bucket[0] -= 1;
        return true;
    }

    /** Seconds until the client's next token. */
    public synchronized long retryAfterSeconds(String client) {
        double[] bucket = buckets.get(client);
        double missing = bucket == null ? 0 : Math.max(0, 1 - bucket[0]);
        return Math.max(1, (long) Math.ceil(missing / (refillPerNano * 1e9)));
    }
}
