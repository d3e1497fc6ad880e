package dev.filetrail.streams.history;

import java.time.Instant;

/**
 * Composite store keys. Parts are joined by NUL so that all of one object's entries form one contiguous, ordered
 * range a prefix scan or a reverse range can reach directly. An S3 key may contain any character, NUL included, so
 * the parts that come from the input and are followed by another part (the {@code bucket/key}, and the versionId of
 * a parked item) are escaped: U+0000 becomes U+0001 U+0001 and U+0001 becomes U+0001 U+0002. An escaped part
 * holds no NUL, so the first NUL after it ends it, and no object's range can reach into another's, whatever the
 * keys. Parts without U+0000 or U+0001 (every realistic key) are stored unchanged, with no copy made.
 */
public final class StoreKeys {
    public static final char SEP = '\u0000';
    private static final char ESC = '\u0001';
    private static final char PACK_BASE = '0';
    private static final int SEQUENCED_WIDTH = 32;
    private static final int UNSEQUENCED_WIDTH = 52;
    private static final int SEQUENCED_PACKED = 22;
    private static final int UNSEQUENCED_PACKED = 36;

    private StoreKeys() {
    }

    /** {@code bucket/key NUL} : the start of one object's range. */
    public static String prefix(String objectKey) {
        return escape(objectKey) + SEP;
    }

    /** The first key after one object's range (inclusive bounds are safe: no stored key equals it). */
    public static String prefixEnd(String objectKey) {
        return escape(objectKey) + ESC;
    }

    /** {@code bucket/key NUL order NUL versionId}: versions in S3 order. */
    public static String version(String objectKey, String order, String versionId) {
        return escape(objectKey) + SEP + order + SEP + versionId;
    }

    /** {@code bucket/key NUL id}: one version's index entry, or one link. */
    public static String member(String objectKey, String id) {
        return escape(objectKey) + SEP + id;
    }

    /** {@code bucket/key NUL versionId NUL}: everything parked for one version. */
    public static String parkedPrefix(String objectKey, String versionId) {
        return escape(objectKey) + SEP + escape(versionId) + SEP;
    }

    /** Parked items of one version sort by the time of the fact, then by its id. */
    public static String parked(String objectKey, String versionId, Instant time, String id) {
        return parkedPrefix(objectKey, versionId) + sortableTime(time) + SEP + id;
    }

    /** The {@code bucket/key} and versionId a {@link #parked} key was built from. */
    public static String[] objectAndVersionOfParked(String storeKey) {
        int objectEnd = storeKey.indexOf(SEP);
        int versionEnd = storeKey.indexOf(SEP, objectEnd + 1);
        return new String[] {unescape(storeKey.substring(0, objectEnd)),
                unescape(storeKey.substring(objectEnd + 1, versionEnd))};
    }

    /** The versionId of a {@link #version} key of this object (the order part holds no NUL). */
    public static String versionIdOf(String objectKey, String storeKey) {
        int orderEnd = storeKey.indexOf(SEP, escapedLength(objectKey) + 1);
        return storeKey.substring(orderEnd + 1);
    }

    /** The order part of a {@link #version} key of this object. */
    public static String orderOf(String objectKey, String storeKey) {
        int orderStart = escapedLength(objectKey) + 1;
        return storeKey.substring(orderStart, storeKey.indexOf(SEP, orderStart));
    }

    /**
     * The store form of a {@link dev.filetrail.events.object.HistoryOrder} key: its characters (hex and decimal
     * digits only) padded with '0' to a multiple of three, each three packed into two characters of an ordered
     * 64-character ASCII range ('0' to 'o'). Plain string order of packed keys equals that of the originals: both
     * widths (32 and 52) pad alike and the shorter one is a prefix of the longer only when the original was, so a
     * sequenced key takes 22 characters instead of 32 and an unsequenced one 36 instead of 52.
     */
    public static String packOrder(String order) {
        int groups = (order.length() + 2) / 3;
        char[] out = new char[groups * 2];
        for (int g = 0; g < groups; g++) {
            int v = 0;
            for (int i = g * 3; i < g * 3 + 3; i++) {
                v = (v << 4) | (i < order.length() ? Character.digit(order.charAt(i), 16) : 0);
            }
            out[g * 2] = (char) (PACK_BASE + (v >> 6));
            out[g * 2 + 1] = (char) (PACK_BASE + (v & 63));
        }
        return new String(out);
    }

    /** The {@link dev.filetrail.events.object.HistoryOrder} key a {@link #packOrder} key was made from (upper case). */
    public static String unpackOrder(String packed) {
        int width = packed.length() == SEQUENCED_PACKED ? SEQUENCED_WIDTH : UNSEQUENCED_WIDTH;
        if (packed.length() != SEQUENCED_PACKED && packed.length() != UNSEQUENCED_PACKED) {
            throw new IllegalStateException("not a packed order key: " + packed.length() + " characters");
        }
        char[] out = new char[packed.length() / 2 * 3];
        for (int g = 0; g < packed.length() / 2; g++) {
            int v = ((packed.charAt(g * 2) - PACK_BASE) << 6) | (packed.charAt(g * 2 + 1) - PACK_BASE);
            out[g * 3] = Character.toUpperCase(Character.forDigit(v >> 8, 16));
            out[g * 3 + 1] = Character.toUpperCase(Character.forDigit((v >> 4) & 15, 16));
            out[g * 3 + 2] = Character.toUpperCase(Character.forDigit(v & 15, 16));
        }
        return new String(out, 0, width);
    }

    /** Fixed-width microseconds since the epoch (negative times clamp to zero), so string order is time order. */
    public static String sortableTime(Instant time) {
        long micros = time == null ? 0 : Math.max(0, time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000);
        return String.format("%019d", micros);
    }

    /** The part as stored: the same string when it holds neither U+0000 nor U+0001. */
    static String escape(String part) {
        int n = part.length();
        int first = 0;
        while (first < n && part.charAt(first) > ESC) {
            first++;
        }
        if (first == n) {
            return part;
        }
        StringBuilder out = new StringBuilder(n + 8).append(part, 0, first);
        for (int i = first; i < n; i++) {
            char c = part.charAt(i);
            if (c == SEP) {
                out.append(ESC).append(ESC);
            } else if (c == ESC) {
                out.append(ESC).append('\u0002');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String unescape(String stored) {
        if (stored.indexOf(ESC) < 0) {
            return stored;
        }
        StringBuilder out = new StringBuilder(stored.length());
        for (int i = 0; i < stored.length(); i++) {
            char c = stored.charAt(i);
            if (c == ESC) {
                out.append(stored.charAt(++i) == ESC ? SEP : ESC);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int escapedLength(String part) {
        int n = part.length();
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) <= ESC) {
                n++;
            }
        }
        return n;
    }
}
