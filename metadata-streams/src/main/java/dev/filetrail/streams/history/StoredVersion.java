package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileVersion;
import java.time.Instant;

/**
 * One version as the store keeps it: the published {@link FileVersion} plus the event time of its last storage
 * class change, so that transitions delivered out of order settle on the newest class, and the S3 event name of the
 * event that created it (null when unknown), from which {@link StateCodec} recomputes the version's
 * {@code createdEventId} instead of storing its 32 bytes.
 */
public record StoredVersion(FileVersion version, Instant storageClassChangedAt, String createdEventName) {

    public StoredVersion(FileVersion version, Instant storageClassChangedAt) {
        this(version, storageClassChangedAt, null);
    }

    /** The same stored version with a changed {@link FileVersion} and class-change time. */
    public StoredVersion with(FileVersion changed, Instant classChangedAt) {
        return new StoredVersion(changed, classChangedAt, createdEventName);
    }
}
