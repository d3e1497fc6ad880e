package dev.filetrail.api.files;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The reads the routes make of files and versions: {@link FileQueries} over one database, or the sharded read model
 * ({@code shards.ShardedFiles}), which sends a single-key read to the file's shard and merges listings over every
 * shard. The routes do not know which.
 */
public interface FileReads {
    /** Current (not deleted) files under {@code prefix} after {@code afterKey}, in key order. */
    List<FileQueries.FileRow> list(String bucket, String prefix, String afterKey, int limit);

    /** The files that existed at {@code at} under {@code prefix} after {@code afterKey}, in key order. */
    List<FileQueries.AsOfRow> listAsOf(String bucket, String prefix, String afterKey, Instant at, int limit);

    /** The version of a file that was current at {@code at}; a delete marker when it was deleted then. */
    Optional<FileQueries.VersionRow> versionAsOf(String bucket, String key, Instant at);

    /** A file's head row. */
    Optional<FileQueries.FileRow> file(String bucket, String key);

    /** A file's head with its current version's derivatives and tags, in one snapshot. */
    Optional<FileQueries.FileWithCurrent> fileWithCurrent(String bucket, String key);

    /** One version that S3 still has. */
    Optional<FileQueries.VersionRow> version(String bucket, String key, String versionId);

    /** One version in any state (removed too). */
    Optional<FileQueries.VersionRow> versionInAnyState(String bucket, String key, String versionId);

    /** A version's changes in the order they were applied, strictly after (partition, offset). */
    List<FileQueries.VersionChangeRow> versionChanges(String bucket, String key, String versionId, int afterPartition,
                                                      long afterOffset, int limit);

    /** Versions newest first, strictly after the cursor position when one is given; removed ones when asked. */
    List<FileQueries.VersionRow> history(String bucket, String key, String afterOrdering, String afterVersionId,
                                         int limit, boolean includeRemoved);

    /** {@link #history} without the removed entries. */
    default List<FileQueries.VersionRow> history(String bucket, String key, String afterOrdering,
                                                 String afterVersionId, int limit) {
        return history(bucket, key, afterOrdering, afterVersionId, limit, false);
    }
}
