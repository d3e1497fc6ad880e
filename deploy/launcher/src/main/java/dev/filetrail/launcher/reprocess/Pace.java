package dev.filetrail.launcher.reprocess;

/**
 * Spaces out work to at most {@code perSecond} items a second, evenly (no bursts): the processors' concurrency and
 * the account's Lambda quota are shared with live uploads, which a backlog must not crowd out.
 */
final class Pace {
    private final long intervalNanos;
    private long next;

    Pace(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be a positive number per second, not " + perSecond);
        }
        this.intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
        this.next = System.nanoTime();
    }

    /** Blocks until the next item may start. */
    void await() throws InterruptedException {
        long now = System.nanoTime();
        long wait = next - now;
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        // A pause longer than one interval (a slow call) is not made up by a burst afterwards.
        next = Math.max(next, now) + intervalNanos;
    }
}
