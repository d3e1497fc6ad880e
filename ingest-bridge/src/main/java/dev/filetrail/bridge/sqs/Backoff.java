package dev.filetrail.bridge.sqs;

/** Exponential back-off with a cap, reset by the first success. Not thread-safe: one per poller. */
public final class Backoff {
    private final long initialMs;
    private final long maxMs;
    private long nextMs;

    public Backoff(long initialMs, long maxMs) {
        this.initialMs = Math.max(1, initialMs);
        this.maxMs = Math.max(this.initialMs, maxMs);
        this.nextMs = this.initialMs;
    }

    /** The delay to wait now; the one after it is twice as long, up to the cap. */
    public long next() {
        long delay = nextMs;
        nextMs = Math.min(maxMs, nextMs * 2);
        return delay;
    }

    public void reset() {
        nextMs = initialMs;
    }
}
