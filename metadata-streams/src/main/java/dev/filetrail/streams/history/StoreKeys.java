package dev.filetrail.streams.history;

import java.time.Instant;

/**
 * Composite store keys. Parts are joined by NUL, which neither S3 keys nor version ids contain, so that all of one
 * object's entries form one contiguous, ordered range a prefix scan or a reverse range can reach directly.
 */
public final class StoreKeys {
    public static final char SEP = '\u0000';

    private StoreKeys() {
    }

    /** {@code bucket/key NUL} : the start of one object's range. */
    public static String prefix(String objectKey) {
        return objectKey + SEP;
    }

    /** The first key after one object's range (inclusive bounds are safe: no stored key equals it). */
    public static String prefixEnd(String objectKey) {
        return objectKey + '\u0001';
    }

    /** {@code bucket/key NUL order NUL versionId}: versions in S3 order. */
    public static String version(String objectKey, String order, String versionId) {
        return objectKey + SEP + order + SEP + versionId;
    }

    /** {@code bucket/key NUL id}: one version's index entry, or one link. */
    public static String member(String objectKey, String id) {
        return objectKey + SEP + id;
    }

    /** {@code bucket/key NUL versionId NUL}: everything parked for one version. */
    public static String parkedPrefix(String objectKey, String versionId) {
        return objectKey + SEP + versionId + SEP;
    }

    /** Parked items of one version sort by the time of the fact, then by its id. */
    public static String parked(String objectKey, String versionId, Instant time, String id) {
        return parkedPrefix(objectKey, versionId) + sortableTime(time) + SEP + id;
    }

    /** Fixed-width microseconds since the epoch (negative times clamp to zero), so string order is time order. */
    public static String sortableTime(Instant time) {
        long micros = time == null ? 0 : Math.max(0, time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000);
        return String.format("%019d", micros);
    }
}
