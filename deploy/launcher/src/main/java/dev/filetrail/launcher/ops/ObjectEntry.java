package dev.filetrail.launcher.ops;

import java.time.Instant;

/**
 * One version or delete marker of one key, as one side (S3's listing or Filetrail's read model) knows it.
 *
 * @param latest whether this side considers it the newest entry of its key (S3's IsLatest; the read model's
 *               {@code latest_version_id})
 */
public record ObjectEntry(String key, String versionId, boolean deleteMarker, String storageClass, boolean latest,
                          Instant lastModified, Long size, String eTag) {

    /** The storage class with S3's convention applied: absent means STANDARD; markers have none. */
    public String effectiveStorageClass() {
        if (deleteMarker) {
            return null;
        }
        return storageClass == null || storageClass.isBlank() ? "STANDARD" : storageClass;
    }
}
