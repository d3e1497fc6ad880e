package dev.filetrail.bridge.s3event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The fast instant reader answers exactly as {@link Instant#parse} does, for S3's form and for anything else. */
class IsoInstantsPropertiesTest {

    @Property(tries = 2000)
    void readsS3TimestampsLikeInstantParse(@ForAll @LongRange(min = 0, max = 253402300799L) long epochSecond,
                                           @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
                                           @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
        String text = Instant.ofEpochSecond(epochSecond).toString(); // yyyy-MM-ddTHH:mm:ssZ
        if (fractionDigits > 0) {
            String fraction = String.format("%09d", nanos).substring(0, fractionDigits);
            text = text.substring(0, text.length() - 1) + "." + fraction + "Z";
        }
        assertThat(IsoInstants.parse(text)).isEqualTo(Instant.parse(text));
    }

    @Property(tries = 2000)
    void agreesWithInstantParseOnMangledText(@ForAll("mangled") String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeException e) {
            assertThatThrownBy(() -> IsoInstants.parse(text)).isInstanceOf(DateTimeException.class);
            return;
        }
        assertThat(IsoInstants.parse(text)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<String> mangled() {
        String base = "2024-02-29T23:59:59.123Z";
        Arbitrary<String> oneChar = Arbitraries.integers().between(0, base.length() - 1)
                .flatMap(i -> Arbitraries.of('0', '1', '2', '3', '5', '6', '9', '-', ':', 'T', 'Z', '.', ' ', '+', 'x')
                        .map(c -> base.substring(0, i) + c + base.substring(i + 1)));
        Arbitrary<String> cut = Arbitraries.integers().between(0, base.length()).map(i -> base.substring(0, i) + "Z");
        Arbitrary<String> edges = Arbitraries.of("2023-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z",
                "2025-01-01T24:00:00Z", "2025-06-30T23:59:60Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00.1234567891Z",
                "2025-01-01T00:00:00+01:00", "+12025-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2025-01-01t00:00:00z",
                "２025-01-01T00:00:00Z", "2025-01-01T00:00:00.000000000Z", "");
        return Arbitraries.oneOf(oneChar, cut, edges);
    }
}
