package dev.filetrail.api.rewind;

import java.time.Instant;
import java.util.List;

/**
 * What a rewind of {@code prefix} to {@code to} would do, key by key: the plan stored before anything runs, and
 * what a dry run shows.
 */
public record RewindPlan(String bucket, String prefix, Instant to, List<Action> actions) {

    /** What one key needs to be as it was. */
    public enum Kind {
        /** Copy the version current at the instant onto the key (a new version). */
        RESTORE,
        /** Put a delete marker on the key: it did not exist at the instant. */
        DELETE,
        /** Nothing: the current version is the one current then, or the key is absent both times. */
        KEEP;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One key's action.
     *
     * @param sourceVersionId  for RESTORE (and a KEEP of an existing key): the version current at the instant
     * @param currentVersionId the version current when planned; null when the key is deleted or absent now
     */
    public record Action(String key, Kind kind, String sourceVersionId, String currentVersionId) {
    }

    /** The number of actions of each kind. */
    public record Counts(long restore, long delete, long keep) {
        public long total() {
            return restore + delete + keep;
        }
    }

    public Counts counts() {
        long restore = actions.stream().filter(a -> a.kind() == Kind.RESTORE).count();
        long delete = actions.stream().filter(a -> a.kind() == Kind.DELETE).count();
        return new Counts(restore, delete, actions.size() - restore - delete);
    }
}
