package dev.filetrail.events;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/** The field values every hand-written writer's property is driven with: hostile text and instants at the edges. */
public final class WireValues {

    private WireValues() {
    }

    /** Any UTF-16 text (lone surrogates too), printable ASCII, and the cases escaping gets wrong; a fifth null. */
    public static Arbitrary<String> text(int maxLength) {
        return Arbitraries.oneOf(
                        Arbitraries.strings().all().ofMaxLength(maxLength),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(maxLength),
                        Arbitraries.of("photos/über café.jpg", "a\"b\\c", "tab\there", "\u0000\u001f\u007f",
                                "日本語/ファイル", "emoji \uD83D\uDCF7", ""))
                .injectNull(0.2);
    }

    /** Mostly S3's range, some outside the instant writer's fast path (before 1970, after 9999); a fifth null. */
    public static Arbitrary<Instant> instants() {
        return Arbitraries.frequencyOf(
                        Tuple.of(8, Arbitraries.longs().between(0, 4_102_444_800L)),
                        Tuple.of(1, Arbitraries.longs().between(-62_135_596_800L, 0)),
                        Tuple.of(1, Arbitraries.longs().between(253_402_300_700L, 253_402_300_900L)))
                .flatMap(seconds -> Arbitraries.of(0, 1, 120_000_000, 123_456_000, 123_456_789)
                        .map(nanos -> Instant.ofEpochSecond(seconds, nanos)))
                .injectNull(0.2);
    }
}
