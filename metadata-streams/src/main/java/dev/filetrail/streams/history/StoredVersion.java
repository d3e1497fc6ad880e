package dev.filetrail.streams.history;

import dev.filetrail.events.history.FileVersion;
import java.time.Instant;

/**
 * One version as the store keeps it: the published {@link FileVersion} plus the event time of its last storage
 * class change, so that transitions delivered out of order settle on the newest class.
 */
public record StoredVersion(FileVersion version, Instant storageClassChangedAt) {
}
