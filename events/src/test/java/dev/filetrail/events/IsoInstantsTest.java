package dev.filetrail.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.filetrail.events.object.ObjectEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The one instant codec answers exactly as the standard parser and formatter do, for S3's form and anything else. */
class IsoInstantsTest {
    /** Json.MAPPER's configuration with JavaTimeModule's instant reader alone: the standard answers. */
    private static final ObjectMapper STANDARD = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE).build();

    @Test
    void readsEveryUtcFormExactlyAsTheStandardParser() {
        Random random = new Random(11);
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            long seconds = min + (long) (random.nextDouble() * (max - min));
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            String text = t.toString();
            assertThat(IsoInstants.parseUtc(text)).as(text).isEqualTo(t);
            // fraction widths other than the 3/6/9 that toString writes
            String trimmed = text.substring(0, 19) + "." + String.format("%09d", nanos).substring(0, 1 + i % 9) + "Z";
            assertThat(IsoInstants.parseUtc(trimmed)).as(trimmed).isEqualTo(Instant.parse(trimmed));
        }
    }

    @Test
    void leavesOtherFormsToJacksonWithTheSameResult() throws Exception {
        for (String text : List.of("2025-03-01T10:00:01+01:00", "2025-02-29T10:00:00Z", "2024-02-29T23:59:59Z",
                "2025-03-01T24:00:00Z", "2025-03-01t10:00:00z", "+10000-01-01T00:00:00Z", "2025-03-01T10:00:01.Z",
                "2025-03-01T10:00:01.1234567891Z", " 2025-03-01T10:00:01Z", "1740823201")) {
            String json = "{\"bucket\":\"b\",\"key\":\"k\",\"eventTime\":" + (text.matches("\\d+") ? text
                    : "\"" + text + "\"") + "}";
            Object expected;
            try {
                expected = STANDARD.readValue(json, ObjectEvent.class).eventTime();
            } catch (Exception e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = Json.MAPPER.readValue(json, ObjectEvent.class).eventTime();
            } catch (Exception e) {
                actual = e.getClass();
            }
            assertThat(actual).as(text).isEqualTo(expected);
        }
        assertThat(IsoInstants.parseUtc("2025-02-29T10:00:00Z")).isNull();
        assertThat(IsoInstants.parseUtc("2024-02-29T23:59:59Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59Z"));
    }


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

    @Property(tries = 3000)
    void writesInstantsAsIsoInstant(@ForAll("instants") Instant instant) {
        char[] out = new char[30];
        int length = IsoInstants.write(instant, out);

        if (length >= 0) {
            assertThat(new String(out, 0, length)).isEqualTo(instant.toString());
        } else {
            assertThat(instant.getEpochSecond() < 0 || instant.getEpochSecond() >= 253_402_300_800L).isTrue();
        }
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-100_000_000_000L, 300_000_000_000L).flatMap(seconds -> Arbitraries.oneOf(
                Arbitraries.integers().between(0, 999_999_999), Arbitraries.of(0, 1_000_000, 1_000, 999_000_000))
                .map(nanos -> Instant.ofEpochSecond(seconds, nanos)));
    }
}
