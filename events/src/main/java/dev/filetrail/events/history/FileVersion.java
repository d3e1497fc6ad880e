package dev.filetrail.events.history;

import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.Thumbnail;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One version (or delete marker) of one object as Filetrail knows it. The streams keep one of these per version,
 * never a list per object, so the cost of an event does not grow with the object's number of versions.
 * {@code tags}: the version's S3 object tags (key to value; empty when it has none) as S3 answered
 * GetObjectTagging at {@code tagsFetchedAt}; null while unknown (never fetched, or a tagging event newer than the
 * last fetch is waiting for its own).
 */
public record FileVersion(
        String bucket,
        String key,
        String versionId,
        String sequencer,
        boolean deleteMarker,
        Long size,
        String eTag,
        String storageClass,
        Instant createdAt,
        String requester,
        String createdEventId,
        Restore restore,
        Instant tagsChangedAt,
        Derivatives derivatives,
        Map<String, String> tags,
        Instant tagsFetchedAt) {

    /** A version whose tags are not known (every version recorded before tags were fetched). */
    public FileVersion(String bucket, String key, String versionId, String sequencer, boolean deleteMarker, Long size,
                       String eTag, String storageClass, Instant createdAt, String requester, String createdEventId,
                       Restore restore, Instant tagsChangedAt, Derivatives derivatives) {
        this(bucket, key, versionId, sequencer, deleteMarker, size, eTag, storageClass, createdAt, requester,
                createdEventId, restore, tagsChangedAt, derivatives, null, null);
    }

    /** Archive restore of this version: its state, and when the temporary copy expires. */
    public record Restore(String status, Instant expiresAt, String storageClass, Instant updatedAt) {
        public static final String IN_PROGRESS = "IN_PROGRESS";
        public static final String COMPLETED = "COMPLETED";
        public static final String EXPIRED = "EXPIRED";
    }

    /** What the processors derived from this version. */
    public record Derivatives(String contentType, Integer width, Integer height, String sha256, ExifData exif,
                              List<Thumbnail> thumbnails, String failureReason, String restoredFrom) {
        /** What the processors found for a version that is no restored copy (or was processed before restores). */
        public Derivatives(String contentType, Integer width, Integer height, String sha256, ExifData exif,
                           List<Thumbnail> thumbnails, String failureReason) {
            this(contentType, width, height, sha256, exif, thumbnails, failureReason, null);
        }
    }

    public FileVersion withStorageClass(String newClass) {
        return new FileVersion(bucket, key, versionId, sequencer, deleteMarker, size, eTag, newClass, createdAt,
                requester, createdEventId, restore, tagsChangedAt, derivatives, tags, tagsFetchedAt);
    }

    public FileVersion withRestore(Restore newRestore) {
        return new FileVersion(bucket, key, versionId, sequencer, deleteMarker, size, eTag, storageClass, createdAt,
                requester, createdEventId, newRestore, tagsChangedAt, derivatives, tags, tagsFetchedAt);
    }

    public FileVersion withTagsChangedAt(Instant at) {
        return new FileVersion(bucket, key, versionId, sequencer, deleteMarker, size, eTag, storageClass, createdAt,
                requester, createdEventId, restore, at, derivatives, tags, tagsFetchedAt);
    }

    public FileVersion withDerivatives(Derivatives newDerivatives) {
        return new FileVersion(bucket, key, versionId, sequencer, deleteMarker, size, eTag, storageClass, createdAt,
                requester, createdEventId, restore, tagsChangedAt, newDerivatives, tags, tagsFetchedAt);
    }

    /** This version with the tags S3 answered at {@code fetchedAt} (null tags: unknown, waiting for a fetch). */
    public FileVersion withTags(Map<String, String> newTags, Instant fetchedAt) {
        return new FileVersion(bucket, key, versionId, sequencer, deleteMarker, size, eTag, storageClass, createdAt,
                requester, createdEventId, restore, tagsChangedAt, derivatives,
                newTags == null ? null : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(newTags)),
                fetchedAt);
    }
}
