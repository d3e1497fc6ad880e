package dev.filetrail.launcher.ops;

/**
 * One way Filetrail's history of a key disagrees with S3.
 *
 * @param versionId  the version the difference is about (for WRONG_CURRENT_VERSION: S3's current one)
 * @param s3         S3's entry, null when S3 has none
 * @param filetrail  Filetrail's entry, null when Filetrail has none
 * @param repairable whether {@code --repair} has events that fix it
 */
public record Difference(Kind kind, String bucket, String key, String versionId, ObjectEntry s3,
                         ObjectEntry filetrail, boolean repairable) {

    /** The kinds of drift reconcile reports. */
    public enum Kind {
        /** In S3, not in Filetrail. */
        MISSING_VERSION,
        /** In Filetrail, not in S3. */
        EXTRA_VERSION,
        /** Both know the key, but disagree on its newest entry. */
        WRONG_CURRENT_VERSION,
        /** Both know the version, with different storage classes. */
        WRONG_STORAGE_CLASS,
        /**
         * A shard's database holds this version of a key that is another shard's (a shard restored from the wrong
         * snapshot, or once the whole read model and not rebuilt): found when that shard is reconciled alone (its
         * rows of other shards' keys are not compared with S3, whose entries of those keys are skipped), or, over
         * every shard, as the same version held by two shards. No event fixes it: an event reaches the key's own
         * shard.
         */
        WRONG_SHARD
    }

    /** One line for the human report. */
    public String describe() {
        String where = bucket + "/" + key + " " + versionId;
        return switch (kind) {
            case MISSING_VERSION -> "missing   " + where + " (S3 has " + what(s3) + ")";
            case EXTRA_VERSION -> "extra     " + where + " (Filetrail has " + what(filetrail) + ", S3 has none)";
            case WRONG_CURRENT_VERSION -> "current   " + bucket + "/" + key + ": S3 " + id(s3) + ", Filetrail "
                    + id(filetrail) + (repairable ? "" : " (not repairable by events: see OPS.md)");
            case WRONG_STORAGE_CLASS -> "class     " + where + ": S3 " + s3.effectiveStorageClass() + ", Filetrail "
                    + filetrail.effectiveStorageClass();
            case WRONG_SHARD -> "shard     " + where + ": in the database of a shard that is not its key's (in one"
                    + " reconciled alone, or in two shards at once; not repairable by events: rebuild --projection"
                    + " --shard of the shard holding it wrongly, which reconcile --shard names)";
        };
    }

    private static String what(ObjectEntry entry) {
        return entry.deleteMarker() ? "a delete marker" : "a version (" + entry.effectiveStorageClass() + ")";
    }

    private static String id(ObjectEntry entry) {
        return entry == null ? "(none)" : entry.versionId() + (entry.deleteMarker() ? " (delete marker)" : "");
    }
}
