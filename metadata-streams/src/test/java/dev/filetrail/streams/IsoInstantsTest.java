package dev.filetrail.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.filetrail.events.Json;
import dev.filetrail.events.object.ObjectEvent;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {
    private static final ObjectMapper FAST = Json.MAPPER.copy().registerModule(IsoInstants.module());

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
                expected = Json.MAPPER.readValue(json, ObjectEvent.class).eventTime();
            } catch (Exception e) {
                expected = e.getClass();
            }
            Object actual;
            try {
                actual = FAST.readValue(json, ObjectEvent.class).eventTime();
            } catch (Exception e) {
                actual = e.getClass();
            }
            assertThat(actual).as(text).isEqualTo(expected);
        }
        assertThat(IsoInstants.parseUtc("2025-02-29T10:00:00Z")).isNull();
        assertThat(IsoInstants.parseUtc("2024-02-29T23:59:59Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59Z"));
    }
}
