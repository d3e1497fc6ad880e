package dev.filetrail.api.rewind;

/** Spaces calls evenly at most {@code perSecond} a second (REWIND_REQUESTS_PER_SECOND), shared by all jobs. */
public final class RequestRate {
    private final long intervalNanos;
    private long next = System.nanoTime();

    public RequestRate(double perSecond) {
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
    }

    /** Waits for the next slot; false when interrupted (the job is being closed). */
    public boolean acquire() {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            next = Math.max(next, now);
            wait = next - now;
            next += intervalNanos;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
