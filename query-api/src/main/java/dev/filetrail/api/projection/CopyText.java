package dev.filetrail.api.projection;

import dev.filetrail.api.StoredTime;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLDataException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.TimeZone;

/**
 * Rows in PostgreSQL's {@code COPY … FROM STDIN} text format: tab between columns, newline after a row, {@code \N} for
 * NULL, backslash escapes. A value the columns can never hold fails here with the SQLSTATE PostgreSQL would give
 * (U+0000 in text 22021, an instant outside {@link StoredTime}'s range 22008), before a byte is sent, so a batch's
 * bisection finds the record exactly as it does for a server-side error.
 */
final class CopyText {
    /** The first instant whose text is the same in the Julian-Gregorian calendar {@link Timestamp} uses and in ISO. */
    private static final Instant GREGORIAN = Instant.parse("1583-01-01T00:00:00Z");

    private final StringBuilder out = new StringBuilder(1 << 16);
    private boolean rowStarted;
    private int rows;

    void text(String value) throws SQLDataException {
        separate();
        if (value == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\u0000' -> throw new SQLDataException(
                        "invalid byte sequence for encoding \"UTF8\": 0x00 (U+0000 in a text column)", "22021");
                default -> out.append(c);
            }
        }
    }

    void bool(boolean value) {
        separate();
        out.append(value ? 't' : 'f');
    }

    void number(Long value) {
        separate();
        if (value == null) {
            out.append("\\N");
        } else {
            out.append(value.longValue());
        }
    }

    void number(long value) {
        separate();
        out.append(value);
    }

    /**
     * A {@code timestamptz}. Written as JDBC's {@code setTimestamp} would write it, so that the rows read back through
     * {@link Timestamp} (the API's queries) are what they were: ISO text from 1583 on, where both calendars agree, and
     * the Julian fields {@link Timestamp} gives before (pgjdbc sends those too).
     */
    void time(Instant value, String field) throws SQLDataException {
        if (value == null) {
            text(null);
            return;
        }
        Timestamp checked = StoredTime.toColumn(value, field);
        separate();
        if (value.isBefore(GREGORIAN)) {
            Calendar calendar = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
            calendar.setTime(checked);
            timestamp(calendar.get(Calendar.YEAR), calendar.get(Calendar.MONTH) + 1,
                    calendar.get(Calendar.DAY_OF_MONTH), calendar.get(Calendar.HOUR_OF_DAY),
                    calendar.get(Calendar.MINUTE), calendar.get(Calendar.SECOND),
                    Math.min(999_999_000, (checked.getNanos() + 500) / 1000 * 1000));
            return;
        }
        // Rounded to the column's microseconds half up, as pgjdbc rounds what setTimestamp sends.
        LocalDateTime t = value.plusNanos(500).truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC)
                .toLocalDateTime();
        timestamp(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(),
                t.getNano());
    }

    /** Nanoseconds already rounded to whole microseconds, the column's precision. */
    private void timestamp(int year, int month, int day, int hour, int minute, int second, int nanos) {
        pad(year, 4).append('-');
        pad(month, 2).append('-');
        pad(day, 2).append(' ');
        pad(hour, 2).append(':');
        pad(minute, 2).append(':');
        pad(second, 2).append('.');
        String fraction = Integer.toString(nanos);
        for (int i = fraction.length(); i < 9; i++) {
            out.append('0');
        }
        out.append(fraction).append("+00");
    }

    private StringBuilder pad(int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }

    void endRow() {
        out.append('\n');
        rowStarted = false;
        rows++;
    }

    int rows() {
        return rows;
    }

    InputStream stream() {
        return new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void separate() {
        if (rowStarted) {
            out.append('\t');
        }
        rowStarted = true;
    }
}
