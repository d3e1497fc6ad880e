package dev.filetrail.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators of keys S3 accepts: 1..1024 bytes of UTF-8 from every plane, with the characters that break things. */
public final class S3Keys {
    public static final int MAX_BYTES = 1024;

    private S3Keys() {
    }

    /** One code point: often a troublemaker (U+0000, the escape, controls, {@code + % / ?}, space), else any plane. */
    public static Arbitrary<Integer> codePoints() {
        Arbitrary<Integer> awkward = Arbitraries.of(0x0, 0x1, 0x2, 0x9, 0xA, 0xD, 0x1F, 0x7F, (int) ' ', (int) '+', (int) '%',
                (int) '/', (int) '?', (int) '#', (int) '&', (int) '=', (int) '\\', (int) '_', (int) '.', (int) '~', 0xA0,
                0xFEFF, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF);
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E);
        Arbitrary<Integer> bmp = Arbitraries.integers().between(0x80, 0xFFFF).filter(c -> c < 0xD800 || c > 0xDFFF);
        Arbitrary<Integer> astral = Arbitraries.integers().between(0x10000, 0x10FFFF);
        return Arbitraries.frequencyOf(
                Tuple.of(3, awkward), Tuple.of(4, ascii),
                Tuple.of(2, bmp), Tuple.of(2, astral));
    }

    /** Keys of 1..1024 UTF-8 bytes, a share of them filled up to exactly (or nearly) 1024 bytes. */
    public static Arbitrary<String> keys() {
        Arbitrary<String> shortKeys = codePoints().list().ofMinSize(1).ofMaxSize(40).map(S3Keys::fit);
        Arbitrary<String> longKeys = codePoints().list().ofMinSize(300).ofMaxSize(1100).map(S3Keys::fit);
        return Arbitraries.frequencyOf(Tuple.of(5, shortKeys), Tuple.of(1, longKeys));
    }

    /** Two keys where the second often starts with the first (or shares a long prefix with it). */
    public static Arbitrary<List<String>> relatedPairs() {
        return Combinators.combine(keys(), keys(), Arbitraries.integers().between(0, 3)).as((a, b, how) -> switch (how) {
            case 0 -> List.of(a, b);
            case 1 -> List.of(a, fit(a + b));
            case 2 -> List.of(fit(a + b), a);
            default -> List.of(a, a.substring(0, a.offsetByCodePoints(0, a.codePointCount(0, a.length()) / 2)) + b);
        }).map(pair -> pair.stream().map(S3Keys::fitString).toList());
    }

    /** The code points as a string cut to at most 1024 UTF-8 bytes, never inside a character. */
    static String fit(List<Integer> codePoints) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int cp : codePoints) {
            int size = utf8Length(cp);
            if (bytes + size > MAX_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += size;
        }
        return out.toString();
    }

    static String fit(String s) {
        return fit(s.codePoints().boxed().toList());
    }

    private static String fitString(String s) {
        String fitted = fit(s);
        return fitted.isEmpty() ? "k" : fitted;
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** UTF-8 byte order: S3's listing order and the read model's "C" collation. */
    public static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
