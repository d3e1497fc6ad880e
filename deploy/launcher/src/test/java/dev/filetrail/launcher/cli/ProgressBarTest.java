package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void drawsABarWithRateAndEtaInPlace() {
        AtomicLong now = new AtomicLong(0);
        StringWriter err = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(err), true, "backfill", 1000, "versions", now::get);
        now.set(1_000_000_000L);
        bar.update(250, "k1");
        assertThat(err.toString()).startsWith("\rbackfill [########----------------------]  25% 250/1,000 versions ETA 3s 250/s  k1");
        now.set(1_050_000_000L);
        bar.update(300, "throttled");
        assertThat(err.toString()).doesNotContain("throttled");
        now.set(2_000_000_000L);
        bar.finish(1000, "done");
        assertThat(err.toString()).contains("100% 1,000/1,000").endsWith(System.lineSeparator());
    }

    @Test
    void unknownTotalShowsCountAndADisabledBarDrawsNothing() {
        AtomicLong now = new AtomicLong(2_000_000_000L);
        ProgressBar counting = new ProgressBar(new PrintWriter(new StringWriter()), true, "replay", -1, "records", () -> 0);
        assertThat(counting.render(5000, null, 2_000_000_000L)).isEqualTo("replay 5,000 records 2,500/s");
        StringWriter err = new StringWriter();
        ProgressBar off = new ProgressBar(new PrintWriter(err), false, "x", 10, "y", now::get);
        off.update(5, "z");
        off.finish(10, "z");
        off.close();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void timesAcceptInstantsDatesEpochMillisAndAges() {
        TimeArgument times = new TimeArgument(Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC));
        assertThat(times.convert("2025-01-31T10:00:00Z")).isEqualTo(Instant.parse("2025-01-31T10:00:00Z"));
        assertThat(times.convert("2025-01-31T10:00:00+02:00")).isEqualTo(Instant.parse("2025-01-31T08:00:00Z"));
        assertThat(times.convert("2025-01-31")).isEqualTo(Instant.parse("2025-01-31T00:00:00Z"));
        assertThat(times.convert("1700000000000")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(times.convert("2h")).isEqualTo(Instant.parse("2025-06-01T10:00:00Z"));
        assertThat(times.convert("PT90M")).isEqualTo(Instant.parse("2025-06-01T10:30:00Z"));
        assertThat(times.convert("now")).isEqualTo(Instant.parse("2025-06-01T12:00:00Z"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> times.convert("yesterday"))
                .isInstanceOf(picocli.CommandLine.TypeConversionException.class).hasMessageContaining("ISO-8601");
    }
}
