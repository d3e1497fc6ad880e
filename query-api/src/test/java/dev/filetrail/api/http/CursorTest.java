package dev.filetrail.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.StoredKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CursorTest {
    private static final String LONGEST_PREFIX = "\u0001".repeat(1024);
    private static final String KIND = "files:" + "b".repeat(63) + ":" + LONGEST_PREFIX;

    @Test
    void theLongestKeysFitAndComeBackExactly() {
        for (String key : List.of("\u0000".repeat(1024), "\u0001".repeat(1024), "😀".repeat(256), "é".repeat(512),
                "a".repeat(1023) + "\u0000", "")) {
            String stored = StoredKey.toColumn(key);
            String cursor = Cursor.encode(KIND, stored);
            // Well inside what a URL carries beside a 1,024-byte prefix, percent-encoded (Jetty's 8 KiB header).
            assertThat(cursor.length()).as("cursor of a %d-char key", key.length()).isLessThanOrEqualTo(2800);
            assertThat(cursor).matches("[A-Za-z0-9_-]+");
            List<String> values = Cursor.decode(cursor, KIND, 1);
            assertThat(values).containsExactly(stored);
            assertThat(Cursor.storedKey(values.get(0))).isEqualTo(key);
        }
    }

    @Test
    void valuesOfEveryLengthRoundTrip() {
        for (int length : new int[] {0, 1, 127, 128, 129, 16_383, 16_384}) {
            String value = "x".repeat(length);
            String cursor = Cursor.encode("versions:b/k", value, "v" + length);
            if (cursor.length() <= 4096) {
                assertThat(Cursor.decode(cursor, "versions:b/k", 2)).containsExactly(value, "v" + length);
            } else {
                assertInvalid(cursor, "versions:b/k", 2);
            }
        }
    }

    @Test
    void aCursorOfAnotherListingOrShapeIsA400() {
        String cursor = Cursor.encode("files:b:docs/", "docs/a");
        assertInvalid(cursor, "files:b:photos/", 1);
        assertInvalid(cursor, "files:c:docs/", 1);
        assertInvalid(cursor, "files:b:docs/", 2);
        assertInvalid(Cursor.encode("files:b:docs/"), "files:b:docs/", 1);
    }

    @Test
    void forgedBytesAreA400NeverAGuess() {
        byte[] bytes = Base64.getUrlDecoder().decode(Cursor.encode("k", "abc"));
        assertInvalid(encode(Arrays.copyOf(bytes, bytes.length - 1)), "k", 1);
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertInvalid(encode(longer), "k", 1);
        byte[] badUtf8 = bytes.clone();
        badUtf8[badUtf8.length - 1] = (byte) 0xff;
        assertInvalid(encode(badUtf8), "k", 1);
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 0x03;
        assertInvalid(encode(otherVersion), "k", 1);
        byte[] endlessLength = Arrays.copyOf(bytes, 9 + 5);
        Arrays.fill(endlessLength, 9, endlessLength.length, (byte) 0xff);
        assertInvalid(encode(endlessLength), "k", 1);
        assertInvalid(Cursor.encode("k", "a\u0000b"), "k", 1);
        assertInvalid("not base64!", "k", 1);
        assertInvalid("A".repeat(4097), "k", 1);
    }

    @Test
    void cursorsInTheEarlierJsonFormAreStillRead() {
        String legacy = encode("{\"k\":\"files:b:\",\"v\":[\"docs/a\"]}".getBytes(StandardCharsets.UTF_8));
        assertThat(Cursor.decode(legacy, "files:b:", 1)).containsExactly("docs/a");
        assertInvalid(legacy, "files:c:", 1);
        assertInvalid(encode("{\"k\":\"files:b:\",\"v\":[1]}".getBytes(StandardCharsets.UTF_8)), "files:b:", 1);
    }

    @Test
    void noCursorIsTheFirstPage() {
        assertThat(Cursor.decode(null, "k", 1)).isNull();
        assertThat(Cursor.decode("", "k", 1)).isNull();
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void assertInvalid(String cursor, String kind, int count) {
        assertThatThrownBy(() -> Cursor.decode(cursor, kind, count)).isInstanceOfSatisfying(ApiProblem.class,
                p -> assertThat(p.status()).isEqualTo(400));
    }
}
