package dev.filetrail.launcher.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads a point in time from the command line: an ISO-8601 instant ({@code 2025-01-31T12:00:00Z}), a date-time
 * with offset, a local date-time or date (UTC), epoch milliseconds, {@code now}, or a time ago ({@code 15m},
 * {@code 2h}, {@code 7d}, {@code PT90M}).
 */
final class TimeArgument implements CommandLine.ITypeConverter<Instant> {
    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private final Clock clock;

    TimeArgument() {
        this(Clock.systemUTC());
    }

    TimeArgument(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Instant convert(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("now")) {
            return clock.instant();
        }
        Matcher ago = AGO.matcher(v.toLowerCase(Locale.ROOT));
        if (ago.matches()) {
            long n = Long.parseLong(ago.group(1));
            Duration d = switch (ago.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(d);
        }
        if (v.matches("\\d{10,}")) {
            return Instant.ofEpochMilli(Long.parseLong(v));
        }
        if (v.startsWith("P") || v.startsWith("p")) {
            try {
                return clock.instant().minus(Duration.parse(v.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                throw invalid(value);
            }
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw invalid(value);
        }
    }

    private static CommandLine.TypeConversionException invalid(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is not a time: use an ISO-8601 instant "
                + "(2025-01-31T12:00:00Z), a date (2025-01-31, UTC), epoch milliseconds, now, or an age (15m, 2h, 7d, PT90M)");
    }
}
