package dev.filetrail.streams.history;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Compact binary form of the two hot store values ({@link StoredVersion}, {@link ObjectSummary}). They are read and
 * written on every event, where JSON cost most of the processor's CPU. Parts the store key already holds (bucket,
 * key, versionId) are left out; a field bitmask means absent fields cost nothing. The first byte is a format number
 * so a later layout can be told apart; a new layout needs a new application id (state rebuilt from the log).
 */
public final class StateCodec {
    static final byte VERSION_FORMAT = 1;
    static final byte SUMMARY_FORMAT = 1;

    /** Derivatives are rare and nested (thumbnails, EXIF): kept as JSON inside the binary value. */
    private static final ObjectWriter DERIVATIVES_OUT = Json.MAPPER.writerFor(FileVersion.Derivatives.class);
    private static final ObjectReader DERIVATIVES_IN = Json.MAPPER.readerFor(FileVersion.Derivatives.class);
    /** Tags (at most 10 pairs) are kept as a JSON object, after everything older layouts hold (bits 12, 13). */
    private static final ObjectWriter TAGS_OUT = Json.MAPPER.writerFor(
            new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, String>>() { });
    private static final ObjectReader TAGS_IN = Json.MAPPER.readerFor(
            new com.fasterxml.jackson.core.type.TypeReference<java.util.TreeMap<String, String>>() { });

    private StateCodec() {
    }

    public static byte[] encodeVersion(StoredVersion stored) {
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
        int mask = bit(0, v.sequencer()) | (v.deleteMarker() ? 1 << 1 : 0) | bit(2, v.size()) | bit(3, v.eTag())
                | bit(4, v.storageClass()) | bit(5, v.createdAt()) | bit(6, v.requester())
                | bit(7, v.createdEventId()) | bit(8, r) | bit(9, v.tagsChangedAt()) | bit(10, derivatives)
                | bit(11, stored.storageClassChangedAt()) | bit(12, v.tags()) | bit(13, v.tagsFetchedAt());
        Out out = new Out(96);
        out.write(VERSION_FORMAT);
        out.varint(mask);
        out.str(v.sequencer());
        if (v.size() != null) {
            out.varlong(v.size());
        }
        out.str(v.eTag());
        out.str(v.storageClass());
        out.instant(v.createdAt());
        out.str(v.requester());
        out.str(v.createdEventId());
        if (r != null) {
            int rmask = bit(0, r.status()) | bit(1, r.expiresAt()) | bit(2, r.storageClass()) | bit(3, r.updatedAt());
            out.varint(rmask);
            out.str(r.status());
            out.instant(r.expiresAt());
            out.str(r.storageClass());
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

    public static StoredVersion decodeVersion(String bucket, String key, String versionId, byte[] bytes) {
        In in = new In(bytes, VERSION_FORMAT);
        int mask = in.varint();
        String sequencer = has(mask, 0) ? in.str() : null;
        boolean marker = has(mask, 1);
        Long size = has(mask, 2) ? in.varlong() : null;
        String eTag = has(mask, 3) ? in.str() : null;
        String storageClass = has(mask, 4) ? in.str() : null;
        Instant createdAt = has(mask, 5) ? in.instant() : null;
        String requester = has(mask, 6) ? in.str() : null;
        String createdEventId = has(mask, 7) ? in.str() : null;
        FileVersion.Restore restore = null;
        if (has(mask, 8)) {
            int rmask = in.varint();
            restore = new FileVersion.Restore(has(rmask, 0) ? in.str() : null, has(rmask, 1) ? in.instant() : null,
                    has(rmask, 2) ? in.str() : null, has(rmask, 3) ? in.instant() : null);
        }
        Instant tagsChangedAt = has(mask, 9) ? in.instant() : null;
        FileVersion.Derivatives derivatives = null;
        if (has(mask, 10)) {
            try {
                derivatives = DERIVATIVES_IN.readValue(in.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Instant classAt = has(mask, 11) ? in.instant() : null;
        java.util.Map<String, String> tags = null;
        if (has(mask, 12)) {
            try {
                tags = TAGS_IN.readValue(in.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Instant tagsFetchedAt = has(mask, 13) ? in.instant() : null;
        FileVersion version = new FileVersion(bucket, key, versionId, sequencer, marker, size, eTag, storageClass,
                createdAt, requester, createdEventId, restore, tagsChangedAt, derivatives);
        if (tags != null || tagsFetchedAt != null) {
            version = version.withTags(tags, tagsFetchedAt);
        }
        return new StoredVersion(version, classAt);
    }

    public static byte[] encodeSummary(ObjectSummary s) {
        FileHead h = s.head();
        Out out = new Out(96);
        out.write(SUMMARY_FORMAT);
        out.varint(s.parked());
        out.varint(s.links());
        out.nullableStr(s.latestOrder());
        if (h == null) {
            out.varint(0);
            return out.toArray();
        }
        // currentVersionId is latestVersionId unless deleted: stored once (bit 10 marks the rare other case).
        boolean currentIsLatest = h.currentVersionId() == null ? h.deleted()
                : h.currentVersionId().equals(h.latestVersionId()) && !h.deleted();
        int mask = 1 | (h.deleted() ? 1 << 1 : 0) | bit(2, h.size()) | bit(3, h.eTag()) | bit(4, h.contentType())
                | bit(5, h.storageClass()) | bit(6, h.lastModified()) | bit(7, h.latestVersionId())
                | (currentIsLatest ? 0 : 1 << 10);
        out.varint(mask);
        out.varlong(h.versionCount());
        out.varlong(h.deleteMarkerCount());
        if (h.size() != null) {
            out.varlong(h.size());
        }
        out.str(h.eTag());
        out.str(h.contentType());
        out.str(h.storageClass());
        out.instant(h.lastModified());
        out.str(h.latestVersionId());
        if (!currentIsLatest) {
            out.nullableStr(h.currentVersionId());
        }
        return out.toArray();
    }

    public static ObjectSummary decodeSummary(String bucket, String key, byte[] bytes) {
        In in = new In(bytes, SUMMARY_FORMAT);
        int parked = in.varint();
        int links = in.varint();
        String latestOrder = in.nullableStr();
        int mask = in.varint();
        if (!has(mask, 0)) {
            return new ObjectSummary(null, latestOrder, parked, links);
        }
        boolean deleted = has(mask, 1);
        long versions = in.varlong();
        long markers = in.varlong();
        Long size = has(mask, 2) ? in.varlong() : null;
        String eTag = has(mask, 3) ? in.str() : null;
        String contentType = has(mask, 4) ? in.str() : null;
        String storageClass = has(mask, 5) ? in.str() : null;
        Instant lastModified = has(mask, 6) ? in.instant() : null;
        String latest = has(mask, 7) ? in.str() : null;
        String current = has(mask, 10) ? in.nullableStr() : deleted ? null : latest;
        return new ObjectSummary(new FileHead(bucket, key, deleted, current, versions, markers, size, eTag,
                contentType, storageClass, lastModified, latest), latestOrder, parked, links);
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
            long z = (v << 1) ^ (v >> 63);
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

        void bytes(byte[] b) {
            varlong(b.length);
            if (n + b.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + b.length));
            }
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        void instant(Instant t) {
            if (t != null) {
                varlong(t.getEpochSecond());
                varint(t.getNano());
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
                        + ", expected " + format + ": state written by another layout needs a new application id");
            }
            pos = 1;
        }

        int varint() {
            return (int) varlong();
        }

        long varlong() {
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
            return (z >>> 1) ^ -(z & 1);
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
            long seconds = varlong();
            return Instant.ofEpochSecond(seconds, varint());
        }
    }
}
