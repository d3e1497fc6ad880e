package dev.filetrail.streams.history;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.object.EventIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Compact binary form of the store values: a {@link StoredVersion} (with the object's counts when it is the newest
 * entry) and an object's parked and link counts. They are read and written on every event, where JSON cost most of
 * the processor's CPU. Parts the store key already holds (bucket,
 * key, versionId, and the sequencer, which the order key holds in full) are left out; a field bitmask means absent
 * fields cost nothing. Format 2 also packs hex strings (event ids, most ETags) two digits to a byte, writes a
 * storage class as a one-byte code and an instant with whole milliseconds as one varint. The first byte is the
 * format number: a value of another format is refused, never guessed at (format 1 state is rebuilt, see the
 * module README, "State layout").
 */
public final class StateCodec {
    static final byte VERSION_FORMAT = 2;
    static final byte SUMMARY_FORMAT = 2;

    /** S3 event names of creations, by code (index + 1); code 0 means the name follows as a string. Append only. */
    private static final List<String> EVENT_NAMES = List.of("ObjectCreated:Put", "ObjectCreated:Post",
            "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:DeleteMarkerCreated",
            "ObjectCreated:*", "ObjectRemoved:Delete");

    /** Storage classes S3 documents, by code (index + 1); code 0 means the name follows as a string. Append only. */
    private static final List<String> STORAGE_CLASSES = List.of("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
            "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW",
            "EXPRESS_ONEZONE");

    /** Derivatives are rare and nested (thumbnails, EXIF): kept as JSON inside the binary value. */
    private static final ObjectWriter DERIVATIVES_OUT = Json.MAPPER.writerFor(FileVersion.Derivatives.class);
    private static final ObjectReader DERIVATIVES_IN = Json.MAPPER.readerFor(FileVersion.Derivatives.class);
    /** Tags (at most 10 pairs) are kept as a JSON object. */
    private static final ObjectWriter TAGS_OUT = Json.MAPPER.writerFor(
            new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, String>>() { });
    private static final ObjectReader TAGS_IN = Json.MAPPER.readerFor(
            new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() { });

    /** How a sequencer is kept: derived from the order key (upper or lower case hex), or written out. */
    private static final int SEQ_WRITTEN = 0;
    private static final int SEQ_UPPER = 1;
    private static final int SEQ_LOWER = 2;

    private StateCodec() {
    }

    /** {@code order} is the packed order key the version is stored under ({@link StoreKeys#packOrder}). */
    public static byte[] encodeVersion(StoredVersion stored, String order) {
        return encodeVersion(stored, order, null);
    }

    /**
     * As {@link #encodeVersion(StoredVersion, String)}, with the object's version and delete-marker counts when
     * this is the object's newest entry (the head is read from it).
     */
    public static byte[] encodeVersion(StoredVersion stored, String order, long[] counts) {
        FileVersion v = stored.version();
        FileVersion.Restore r = v.restore();
        byte[] derivatives = null;
        if (v.derivatives() != null) {
            try {
                derivatives = DERIVATIVES_OUT.writeValueAsBytes(v.derivatives());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // Bits in order of how often they are set, so the common mask (bits 0-8) takes two bytes.
        int mask = bit(0, v.sequencer()) | (v.deleteMarker() ? 1 << 1 : 0) | bit(2, v.size()) | bit(3, v.eTag())
                | bit(4, v.storageClass()) | bit(5, v.createdAt()) | bit(6, v.requester())
                | bit(7, v.createdEventId()) | bit(8, stored.createdEventName()) | bit(9, r)
                | bit(10, v.tagsChangedAt()) | bit(11, derivatives) | bit(12, stored.storageClassChangedAt())
                | bit(13, v.tags()) | bit(14, v.tagsFetchedAt()) | bit(15, counts);
        int derivation = v.createdEventId() == null || stored.createdEventName() == null ? -1
                : idDerivation(v, stored.createdEventName());
        Out out = new Out(64);
        out.write(VERSION_FORMAT);
        out.uvarlong(mask);
        if (counts != null) {
            out.varlong(counts[0]);
            out.varlong(counts[1]);
        }
        if (v.sequencer() != null) {
            out.sequencer(v.sequencer(), order);
        }
        if (v.size() != null) {
            out.varlong(v.size());
        }
        out.packed(v.eTag());
        out.storageClass(v.storageClass());
        out.instant(v.createdAt());
        out.str(v.requester());
        if (stored.createdEventName() != null) {
            // 0-3: how the event id is derived from the name (then it is not written), 4: written out
            out.eventName(stored.createdEventName(), derivation < 0 ? 4 : derivation);
        }
        if (derivation < 0) {
            out.packed(v.createdEventId());
        }
        if (r != null) {
            int rmask = bit(0, r.status()) | bit(1, r.expiresAt()) | bit(2, r.storageClass()) | bit(3, r.updatedAt());
            out.varint(rmask);
            out.str(r.status());
            out.instant(r.expiresAt());
            out.storageClass(r.storageClass());
            out.instant(r.updatedAt());
        }
        out.instant(v.tagsChangedAt());
        if (derivatives != null) {
            out.bytes(derivatives);
        }
        out.instant(stored.storageClassChangedAt());
        if (v.tags() != null) {
            try {
                out.bytes(TAGS_OUT.writeValueAsBytes(v.tags()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.instant(v.tagsFetchedAt());
        return out.toArray();
    }

    /** The version stored under {@code order} (packed, from the store key) with these bytes. */
    public static StoredVersion decodeVersion(String bucket, String key, String versionId, String order,
                                              byte[] bytes) {
        In in = new In(bytes, VERSION_FORMAT);
        int mask = (int) in.uvarlong();
        if (has(mask, 15)) {
            in.varlong();
            in.varlong();
        }
        String sequencer = has(mask, 0) ? in.sequencer(order) : null;
        boolean marker = has(mask, 1);
        Long size = has(mask, 2) ? in.varlong() : null;
        String eTag = has(mask, 3) ? in.packed() : null;
        String storageClass = has(mask, 4) ? in.storageClass() : null;
        Instant createdAt = has(mask, 5) ? in.instant() : null;
        String requester = has(mask, 6) ? in.str() : null;
        int derivation = 4;
        String createdEventName = null;
        if (has(mask, 8)) {
            derivation = in.derivation();
            createdEventName = in.eventName(derivation);
        }
        String createdEventId = !has(mask, 7) ? null : derivation < 4
                ? derivedId(bucket, key, versionId, sequencer, createdAt, createdEventName, derivation) : in.packed();
        FileVersion.Restore restore = null;
        if (has(mask, 9)) {
            int rmask = in.varint();
            restore = new FileVersion.Restore(has(rmask, 0) ? in.str() : null, has(rmask, 1) ? in.instant() : null,
                    has(rmask, 2) ? in.storageClass() : null, has(rmask, 3) ? in.instant() : null);
        }
        Instant tagsChangedAt = has(mask, 10) ? in.instant() : null;
        FileVersion.Derivatives derivatives = null;
        if (has(mask, 11)) {
            try {
                derivatives = DERIVATIVES_IN.readValue(in.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Instant classAt = has(mask, 12) ? in.instant() : null;
        java.util.Map<String, String> tags = null;
        if (has(mask, 13)) {
            try {
                tags = TAGS_IN.readValue(in.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Instant tagsFetchedAt = has(mask, 14) ? in.instant() : null;
        FileVersion version = new FileVersion(bucket, key, versionId, sequencer, marker, size, eTag, storageClass,
                createdAt, requester, createdEventId, restore, tagsChangedAt, derivatives);
        if (tags != null || tagsFetchedAt != null) {
            version = version.withTags(tags, tagsFetchedAt);
        }
        return new StoredVersion(version, classAt, createdEventName);
    }

    /**
     * Which of the ways the ingest side computes an event id ({@link EventIds#objectEventId}) gives this version's
     * {@code createdEventId} from what the value keeps anyway, or -1 when none does. Bit 0: the event carried no
     * versionId (an unversioned bucket's "null" entry); bit 1: it carried no eventTime (the time part is empty).
     */
    private static int idDerivation(FileVersion v, String eventName) {
        for (int variant = 0; variant < 4; variant++) {
            if ((variant & 2) != 0 && (v.sequencer() != null || v.createdAt() == null)) {
                continue; // the time part is empty anyway: variant 2 and 3 would repeat 0 and 1
            }
            if (v.createdEventId().equals(derivedId(v.bucket(), v.key(), v.versionId(), v.sequencer(), v.createdAt(),
                    eventName, variant))) {
                return variant;
            }
        }
        return -1;
    }

    private static String derivedId(String bucket, String key, String versionId, String sequencer, Instant createdAt,
                                    String eventName, int variant) {
        return EventIds.objectEventId(bucket, key, (variant & 1) != 0 ? null : versionId, sequencer, eventName,
                (variant & 2) != 0 ? null : createdAt);
    }

    /** The version and marker counts a newest entry's value carries, or null when it carries none. */
    public static long[] countsOf(byte[] bytes) {
        In in = new In(bytes, VERSION_FORMAT);
        int mask = (int) in.uvarlong();
        return has(mask, 15) ? new long[] {in.varlong(), in.varlong()} : null;
    }

    /** An object's parked-item and share-link counts (the {@code objects} store's value). */
    public static byte[] encodeObjectCounts(int parked, int links) {
        Out out = new Out(8);
        out.write(SUMMARY_FORMAT);
        out.varint(parked);
        out.varint(links);
        return out.toArray();
    }

    /** {parked, links} from {@link #encodeObjectCounts}. */
    public static int[] decodeObjectCounts(byte[] bytes) {
        In in = new In(bytes, SUMMARY_FORMAT);
        return new int[] {in.varint(), in.varint()};
    }

    /** Seconds below which seconds * 1000 + millis, shifted left once, still fits a long. */
    private static final long MILLIS_SAFE_SECONDS = 1L << 52;

    /** 1 when all lower case hex digits (decimal digits count as both), 2 all upper case, 0 otherwise or empty. */
    private static int hexCase(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        boolean lower = false;
        boolean upper = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'a' && c <= 'f') {
                lower = true;
            } else if (c >= 'A' && c <= 'F') {
                upper = true;
            } else if (c < '0' || c > '9') {
                return 0;
            }
        }
        return lower && upper ? 0 : upper ? 2 : 1;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static int bit(int i, Object value) {
        return value == null ? 0 : 1 << i;
    }

    private static boolean has(int mask, int i) {
        return (mask & (1 << i)) != 0;
    }

    /** A growable byte buffer with varints; strings are length-prefixed UTF-8, absent ones are in the masks. */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void write(int b) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[n++] = (byte) b;
        }

        void varint(int v) {
            varlong(v & 0xFFFFFFFFL);
        }

        void varlong(long v) {
            uvarlong(zigzag(v));
        }

        /** Unsigned varint: for values known not to be negative (headers, counts already shifted). */
        void uvarlong(long z) {
            while ((z & ~0x7FL) != 0) {
                write((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            write((int) z);
        }

        void str(String s) {
            if (s != null) {
                bytes(s.getBytes(StandardCharsets.UTF_8));
            }
        }

        void nullableStr(String s) {
            write(s == null ? 0 : 1);
            str(s);
        }

        /**
         * A string, hex packed two digits to a byte when it is all lower or all upper case hex: a varint header
         * {@code length << 2 | kind} (kind 0 UTF-8 bytes follow, 1 lower case hex, 2 upper case hex).
         */
        void packed(String s) {
            if (s == null) {
                return;
            }
            int kind = hexCase(s);
            if (kind == 0) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                uvarlong((long) b.length << 2);
                raw(b);
                return;
            }
            uvarlong(((long) s.length() << 2) | kind);
            for (int i = 0; i < s.length(); i += 2) {
                int hi = Character.digit(s.charAt(i), 16);
                int lo = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : 0;
                write((hi << 4) | lo);
            }
        }

        /** The sequencer as a case and a digit count when the order key holds its digits, else written out. */
        void sequencer(String sequencer, String order) {
            int kind = hexCase(sequencer);
            boolean derivable = kind != 0 && order != null
                    && StoreKeys.unpackOrder(order).regionMatches(true, 0, sequencer, 0, sequencer.length());
            if (!derivable) {
                uvarlong(SEQ_WRITTEN);
                str(sequencer);
                return;
            }
            uvarlong(((long) sequencer.length() << 2) | (kind == 1 ? SEQ_LOWER : SEQ_UPPER));
        }

        /** The code (0: the name follows) and how the event id is derived, in one byte. */
        void eventName(String name, int derivation) {
            int code = EVENT_NAMES.indexOf(name) + 1;
            write(code << 3 | derivation);
            if (code == 0) {
                str(name);
            }
        }

        void storageClass(String name) {
            if (name == null) {
                return;
            }
            int code = STORAGE_CLASSES.indexOf(name) + 1;
            write(code);
            if (code == 0) {
                str(name);
            }
        }

        private void raw(byte[] b) {
            if (n + b.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + b.length));
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        void bytes(byte[] b) {
            varlong(b.length);
            if (n + b.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + b.length));
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        /** Whole milliseconds (nearly every instant) as one varint {@code millis << 1}; others as seconds, nanos. */
        void instant(Instant t) {
            if (t == null) {
                return;
            }
            long seconds = t.getEpochSecond();
            if (t.getNano() % 1_000_000 == 0 && seconds >= 0 && seconds < MILLIS_SAFE_SECONDS) {
                uvarlong((seconds * 1000 + t.getNano() / 1_000_000) << 1);
            } else {
                uvarlong(zigzag(seconds) << 1 | 1);
                uvarlong(t.getNano());
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, n);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(byte[] buf, byte format) {
            this.buf = buf;
            if (buf.length == 0 || buf[0] != format) {
                throw new IllegalStateException("store value has format " + (buf.length == 0 ? "none" : buf[0])
                        + ", expected " + format + ": state written by another layout is rebuilt under a new application id (README, State layout)");
            }
            pos = 1;
        }

        int varint() {
            return (int) varlong();
        }

        long varlong() {
            long z = uvarlong();
            return (z >>> 1) ^ -(z & 1);
        }

        long uvarlong() {
            long z = 0;
            int shift = 0;
            while (true) {
                byte b = buf[pos++];
                z |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
                shift += 7;
            }
            return z;
        }

        String str() {
            int len = (int) varlong();
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        String nullableStr() {
            return buf[pos++] == 0 ? null : str();
        }

        byte[] bytes() {
            int len = (int) varlong();
            byte[] b = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }

        Instant instant() {
            long head = uvarlong();
            if ((head & 1) == 0) {
                return Instant.ofEpochMilli(head >>> 1);
            }
            long z = head >>> 1;
            return Instant.ofEpochSecond((z >>> 1) ^ -(z & 1), uvarlong());
        }

        String packed() {
            long head = uvarlong();
            int kind = (int) (head & 3);
            int length = (int) (head >>> 2);
            if (kind == 0) {
                String s = new String(buf, pos, length, StandardCharsets.UTF_8);
                pos += length;
                return s;
            }
            char[] out = new char[length];
            for (int i = 0; i < length; i++) {
                int b = buf[pos + i / 2] & 0xFF;
                int digit = i % 2 == 0 ? b >> 4 : b & 15;
                char c = Character.forDigit(digit, 16);
                out[i] = kind == 2 ? Character.toUpperCase(c) : c;
            }
            pos += (length + 1) / 2;
            return new String(out);
        }

        String sequencer(String order) {
            long head = uvarlong();
            int kind = (int) (head & 3);
            if (kind == SEQ_WRITTEN) {
                return str();
            }
            String digits = StoreKeys.unpackOrder(order).substring(0, (int) (head >>> 2));
            return kind == SEQ_LOWER ? digits.toLowerCase(java.util.Locale.ROOT) : digits;
        }

        /** Reads the derivation of the byte {@link #eventName} reads next (not consuming it). */
        int derivation() {
            int d = buf[pos] & 7;
            if (d > 4) {
                throw new IllegalStateException("unknown event id derivation " + d);
            }
            return d;
        }

        String eventName(int derivation) {
            int code = (buf[pos++] & 0xFF) >>> 3;
            if (code == 0) {
                return str();
            }
            if (code > EVENT_NAMES.size()) {
                throw new IllegalStateException("unknown event name code " + code);
            }
            return EVENT_NAMES.get(code - 1);
        }

        String storageClass() {
            int code = buf[pos++] & 0xFF;
            if (code == 0) {
                return str();
            }
            if (code > STORAGE_CLASSES.size()) {
                throw new IllegalStateException("unknown storage class code " + code);
            }
            return STORAGE_CLASSES.get(code - 1);
        }
    }
}
