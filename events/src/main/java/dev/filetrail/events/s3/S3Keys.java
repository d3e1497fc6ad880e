package dev.filetrail.events.s3;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes object keys as S3 writes them into notifications: form-URL-encoded UTF-8 ({@code +} is a space), and
 * refuses what S3 itself would refuse: a key that is not 1 to 1024 bytes of UTF-8 once decoded, an invalid
 * percent-escape, or bytes that are not UTF-8. Every key S3 can hold decodes to itself, unchanged.
 */
public final class S3Keys {
    /** S3's limit on an object key, in bytes of UTF-8. */
    public static final int MAX_KEY_BYTES = 1024;

    private S3Keys() {
    }

    public static String decode(String encoded) {
        int n = encoded.length();
        int plain = 0;
        while (plain < n) {
            char c = encoded.charAt(plain);
            if (c == '%' || c == '+' || c >= 0x80) {
                break;
            }
            plain++;
        }
        if (plain == n) {
            // Nothing encoded and all ASCII: the key is the text, one byte per character.
            checkLength(encoded, n);
            return encoded;
        }
        byte[] bytes = new byte[n * 3];
        int length = 0;
        for (int i = 0; i < n; ) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes[length++] = ' ';
                i++;
            } else if (c == '%') {
                int hi = i + 2 < n ? hex(encoded.charAt(i + 1)) : -1;
                int lo = hi < 0 ? -1 : hex(encoded.charAt(i + 2));
                if (lo < 0) {
                    throw new MalformedMessageException("object key has an invalid percent-escape at position " + i
                            + ": '" + encoded.substring(i, Math.min(n, i + 3)) + "' (" + excerpt(encoded) + ")");
                }
                bytes[length++] = (byte) (hi << 4 | lo);
                i += 3;
            } else if (c < 0x80) {
                bytes[length++] = (byte) c;
                i++;
            } else {
                // S3 escapes these, but a raw character is still text: keep its UTF-8 (an unpaired surrogate has none).
                int codePoint = encoded.codePointAt(i);
                int count = Character.charCount(codePoint);
                if (Character.isSurrogate(encoded.charAt(i)) && count == 1) {
                    throw new MalformedMessageException("object key has an unpaired surrogate at position " + i
                            + " (" + excerpt(encoded) + ")");
                }
                byte[] utf8 = encoded.substring(i, i + count).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(utf8, 0, bytes, length, utf8.length);
                length += utf8.length;
                i += count;
            }
        }
        try {
            String key = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            checkLength(encoded, length);
            return key;
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException("object key is not UTF-8 once decoded (" + excerpt(encoded) + ")", e);
        }
    }

    /** Fails when the decoded key is longer than S3 allows; {@code encoded} is only for the reason. */
    private static void checkLength(String encoded, int utf8Bytes) {
        if (utf8Bytes > MAX_KEY_BYTES) {
            throw new MalformedMessageException("object key is " + utf8Bytes + " bytes of UTF-8 once decoded; S3 keys "
                    + "are at most " + MAX_KEY_BYTES + " (" + excerpt(encoded) + ")");
        }
    }

    /** An ASCII hex digit's value, or -1 (no other script's digits: S3 writes ASCII). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The start of the encoded key for a reason text, control characters escaped (the letter keeps the body). */
    private static String excerpt(String encoded) {
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(encoded.length(), 100);
        for (int i = 0; i < shown; i++) {
            char c = encoded.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        out.append('\'');
        return shown < encoded.length() ? out + "… (" + encoded.length() + " characters)" : out.toString();
    }
}
