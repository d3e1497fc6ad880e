package dev.filetrail.lambda.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** A content type sniffed from an object's first bytes, never from its key or its stored Content-Type. */
public enum ContentType {
    JPEG("image/jpeg", true),
    PNG("image/png", true),
    GIF("image/gif", true),
    BMP("image/bmp", true),
    TIFF("image/tiff", true),
    WEBP("image/webp", true),
    HEIC("image/heic", false),
    AVIF("image/avif", false),
    SVG("image/svg+xml", false),
    PDF("application/pdf", false),
    ZIP("application/zip", false),
    GZIP("application/gzip", false),
    MP4("video/mp4", false),
    QUICKTIME("video/quicktime", false),
    MP3("audio/mpeg", false),
    JSON("application/json", false),
    TEXT("text/plain; charset=utf-8", false),
    EMPTY("application/x-empty", false),
    UNKNOWN("application/octet-stream", false);

    /** How many leading bytes {@link #sniff(byte[], int)} looks at. */
    public static final int SNIFF_BYTES = 512;

    private final String mimeType;
    private final boolean thumbnailable;

    ContentType(String mimeType, boolean thumbnailable) {
        this.mimeType = mimeType;
        this.thumbnailable = thumbnailable;
    }

    public String mimeType() {
        return mimeType;
    }

    /** Whether this module can decode it into a thumbnail. */
    public boolean thumbnailable() {
        return thumbnailable;
    }

    public static ContentType sniff(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(SNIFF_BYTES);
            return sniff(head, head.length);
        }
    }

    /** Recognises the format from magic numbers; falls back to UTF-8 text or octet-stream. */
    public static ContentType sniff(byte[] head, int length) {
        if (length == 0) {
            return EMPTY;
        }
        if (startsWith(head, length, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(head, length, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(head, length, 'G', 'I', 'F', '8') && length >= 6 && (head[4] == '7' || head[4] == '9')
                && head[5] == 'a') {
            return GIF;
        }
        // BMP: "BM" plus a plausible DIB header size, so text starting with "BM" is not taken for a bitmap.
        if (startsWith(head, length, 'B', 'M') && length >= 18) {
            int dibSize = (head[14] & 0xFF) | (head[15] & 0xFF) << 8 | (head[16] & 0xFF) << 16 | (head[17] & 0xFF) << 24;
            if (dibSize == 12 || dibSize == 40 || dibSize == 52 || dibSize == 56 || dibSize == 64 || dibSize == 108
                    || dibSize == 124) {
                return BMP;
            }
        }
        if (startsWith(head, length, 'I', 'I', 0x2A, 0x00) || startsWith(head, length, 'M', 'M', 0x00, 0x2A)
                || startsWith(head, length, 'I', 'I', 0x2B, 0x00) || startsWith(head, length, 'M', 'M', 0x00, 0x2B)) {
            return TIFF;
        }
        if (startsWith(head, length, 'R', 'I', 'F', 'F') && length >= 12 && head[8] == 'W' && head[9] == 'E'
                && head[10] == 'B' && head[11] == 'P') {
            return WEBP;
        }
        if (length >= 12 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p') {
            String brand = new String(head, 8, 4, StandardCharsets.US_ASCII);
            return switch (brand) {
                case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1" -> HEIC;
                case "avif", "avis" -> AVIF;
                case "qt  " -> QUICKTIME;
                default -> MP4;
            };
        }
        if (startsWith(head, length, '%', 'P', 'D', 'F', '-')) {
            return PDF;
        }
        if (startsWith(head, length, 'P', 'K', 0x03, 0x04) || startsWith(head, length, 'P', 'K', 0x05, 0x06)) {
            return ZIP;
        }
        if (startsWith(head, length, 0x1F, 0x8B)) {
            return GZIP;
        }
        if (startsWith(head, length, 'I', 'D', '3') || (length >= 2 && (head[0] & 0xFF) == 0xFF
                && ((head[1] & 0xE0) == 0xE0) && (head[1] & 0x06) != 0)) {
            return MP3;
        }
        return sniffText(head, length);
    }

    private static ContentType sniffText(byte[] head, int length) {
        int start = startsWith(head, length, 0xEF, 0xBB, 0xBF) ? 3 : 0;
        for (int i = start; i < length; i++) {
            int b = head[i] & 0xFF;
            if (b < 0x09 || (b > 0x0D && b < 0x20 && b != 0x1B)) {
                return UNKNOWN;
            }
        }
        byte[] text = Arrays.copyOfRange(head, start, length);
        // The window may cut a multi-byte character in half: drop up to 3 trailing bytes before judging.
        if (!validUtf8(text, text.length) && !validUtf8(text, Math.max(0, text.length - 3))) {
            return UNKNOWN;
        }
        String trimmed = new String(text, StandardCharsets.UTF_8).stripLeading();
        if (trimmed.startsWith("<svg") || (trimmed.startsWith("<?xml") && trimmed.contains("<svg"))) {
            return SVG;
        }
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            return JSON;
        }
        return TEXT;
    }

    private static boolean validUtf8(byte[] bytes, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] head, int length, int... magic) {
        if (length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
