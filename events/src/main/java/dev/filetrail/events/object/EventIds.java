package dev.filetrail.events.object;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** Deterministic ids, so a fact delivered twice carries the same id both times. */
public final class EventIds {
    private EventIds() {
    }

    /**
     * Hash of bucket, key, versionId, sequencer and eventName, as ARCHITECTURE.md fixes. Events that carry no
     * sequencer (tagging, transitions, restores) add their eventTime: without it two tag changes of one version
     * would share an id and the second would be dropped as a duplicate.
     */
    public static String objectEventId(String bucket, String key, String versionId, String sequencer,
                                       String eventName, Instant eventTime) {
        String timePart = sequencer == null && eventTime != null ? eventTime.toString() : "";
        return sha256Hex(bucket, key, versionId == null ? "" : versionId, sequencer == null ? "" : sequencer,
                eventName == null ? "" : eventName, timePart);
    }

    /** SHA-256 of the parts joined by a NUL byte (which S3 keys and ids cannot contain), in lowercase hex. */
    public static String sha256Hex(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    digest.update((byte) 0);
                }
                digest.update(parts[i].getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
