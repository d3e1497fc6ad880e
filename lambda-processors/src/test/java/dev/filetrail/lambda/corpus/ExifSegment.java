package dev.filetrail.lambda.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built EXIF (an APP1 segment holding a big-endian TIFF structure) with orientation, camera, capture time
 * and GPS, so the corpus has what a phone writes without shipping a phone's photo.
 */
public final class ExifSegment {
    private static final short ASCII = 2;
    private static final short SHORT = 3;
    private static final short LONG = 4;
    private static final short RATIONAL = 5;

    private ExifSegment() {
    }

    /** The APP1 payload ("Exif\0\0" + TIFF). Latitude/longitude may be NaN for no GPS. */
    public static byte[] payload(int orientation, String make, String model, String dateTimeOriginal,
                                 String offsetTimeOriginal, double latitude, double longitude) {
        Ifd ifd0 = new Ifd();
        ifd0.ascii(0x010F, make);
        ifd0.ascii(0x0110, model);
        ifd0.shortValue(0x0112, orientation);
        Ifd exif = new Ifd();
        exif.ascii(0x9003, dateTimeOriginal);
        if (offsetTimeOriginal != null) {
            exif.ascii(0x9011, offsetTimeOriginal);
        }
        Ifd gps = null;
        if (!Double.isNaN(latitude)) {
            gps = new Ifd();
            gps.ascii(0x0001, latitude >= 0 ? "N" : "S");
            gps.rationals(0x0002, dms(Math.abs(latitude)));
            gps.ascii(0x0003, longitude >= 0 ? "E" : "W");
            gps.rationals(0x0004, dms(Math.abs(longitude)));
        }
        // Pointers are LONG entries whose values are fixed once the sizes before them are known.
        ifd0.longValue(0x8769, 0);
        if (gps != null) {
            ifd0.longValue(0x8825, 0);
        }
        int ifd0At = 8;
        int exifAt = ifd0At + ifd0.size();
        int gpsAt = exifAt + exif.size();
        ifd0.longValue(0x8769, exifAt);
        if (gps != null) {
            ifd0.longValue(0x8825, gpsAt);
        }
        ByteBuffer tiff = ByteBuffer.allocate(gpsAt + (gps == null ? 0 : gps.size()));
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(ifd0At);
        ifd0.write(tiff, ifd0At);
        exif.write(tiff, exifAt);
        if (gps != null) {
            gps.write(tiff, gpsAt);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(tiff.array());
        return out.toByteArray();
    }

    /** A JPEG with the EXIF segment inserted right after its start-of-image marker (and any JFIF APP0). */
    public static byte[] insertInto(byte[] jpeg, byte[] payload) {
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + payload.length + 4);
        out.write(jpeg, 0, at);
        out.write(0xFF);
        out.write(0xE1);
        int length = payload.length + 2;
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(payload);
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    private static long[] dms(double degrees) {
        long d = (long) degrees;
        double minutesFull = (degrees - d) * 60;
        long m = (long) minutesFull;
        long secondsTimes1000 = Math.round((minutesFull - m) * 60 * 1000);
        return new long[] {d, 1, m, 1, secondsTimes1000, 1000};
    }

    /** One image file directory: entries sorted by tag, values over four bytes after the entry table. */
    private static final class Ifd {
        private final List<Entry> entries = new ArrayList<>();

        void ascii(int tag, String text) {
            byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
            put(new Entry(tag, ASCII, bytes.length, bytes));
        }

        void shortValue(int tag, int value) {
            put(new Entry(tag, SHORT, 1, new byte[] {(byte) (value >> 8), (byte) value, 0, 0}));
        }

        void longValue(int tag, int value) {
            put(new Entry(tag, LONG, 1, ByteBuffer.allocate(4).putInt(value).array()));
        }

        void rationals(int tag, long[] numeratorDenominator) {
            ByteBuffer b = ByteBuffer.allocate(numeratorDenominator.length * 4);
            for (long v : numeratorDenominator) {
                b.putInt((int) v);
            }
            put(new Entry(tag, RATIONAL, numeratorDenominator.length / 2, b.array()));
        }

        private void put(Entry entry) {
            entries.removeIf(e -> e.tag == entry.tag);
            entries.add(entry);
            entries.sort((a, b) -> Integer.compare(a.tag, b.tag));
        }

        int size() {
            int size = 2 + entries.size() * 12 + 4;
            for (Entry e : entries) {
                if (e.value.length > 4) {
                    size += e.value.length + (e.value.length & 1);
                }
            }
            return size;
        }

        void write(ByteBuffer tiff, int at) {
            int data = at + 2 + entries.size() * 12 + 4;
            tiff.position(at);
            tiff.putShort((short) entries.size());
            for (Entry e : entries) {
                tiff.putShort((short) e.tag).putShort(e.type).putInt(e.count);
                if (e.value.length <= 4) {
                    byte[] inline = new byte[4];
                    System.arraycopy(e.value, 0, inline, 0, e.value.length);
                    tiff.put(inline);
                } else {
                    tiff.putInt(data);
                    int back = tiff.position();
                    tiff.position(data);
                    tiff.put(e.value);
                    data += e.value.length + (e.value.length & 1);
                    tiff.position(back);
                }
            }
            tiff.putInt(0);
        }
    }

    private record Entry(int tag, short type, int count, byte[] value) {
    }
}
