package dev.filetrail.launcher.reprocess;

import java.time.Instant;

/**
 * A reprocess job as stored: its scope, how many versions it planned, how many are fully handed over (both
 * processors invoked), and whether any remain.
 *
 * @param state {@code open} while versions remain, {@code finished} when every one was handed over
 */
public record ReprocessJob(String id, String bucket, String prefix, boolean includeFailed, String state, long total,
                           long sent, Instant createdAt, Instant finishedAt, String lastError) {
    public static final String OPEN = "open";
    public static final String FINISHED = "finished";

    public long remaining() {
        return total - sent;
    }
}
