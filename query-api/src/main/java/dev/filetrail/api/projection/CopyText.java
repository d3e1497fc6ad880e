package dev.filetrail.api.projection;

import dev.filetrail.api.StoredTime;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.sql.SQLDataException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
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

    private byte[] out = new byte[1 << 16];
    private int size;
    private boolean rowStarted;
    private int rows;

    void text(String value) throws SQLDataException {
        separate();
        if (value == null) {
            ascii("\\N");
            return;
        }
        int length = value.length();
        ensure(length * 3 + 2);
        byte[] b = out;
        int n = size;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, value.charAt(++i));
                    b[n++] = (byte) (0xF0 | cp >> 18);
                    b[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                    b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                    b[n++] = (byte) (0x80 | cp & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    // A lone surrogate has no UTF-8: written as String.getBytes would write it.
                    b[n++] = '?';
                } else if (c < 0x800) {
                    b[n++] = (byte) (0xC0 | c >> 6);
                    b[n++] = (byte) (0x80 | c & 0x3F);
                } else {
                    b[n++] = (byte) (0xE0 | c >> 12);
                    b[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                    b[n++] = (byte) (0x80 | c & 0x3F);
                }
                continue;
            }
            switch (c) {
                case '\\' -> {
                    b[n++] = '\\';
                    b[n++] = '\\';
                }
                case '\t' -> {
                    b[n++] = '\\';
                    b[n++] = 't';
                }
                case '\n' -> {
                    b[n++] = '\\';
                    b[n++] = 'n';
                }
                case '\r' -> {
                    b[n++] = '\\';
                    b[n++] = 'r';
                }
                case '\u0000' -> throw nul();
                default -> b[n++] = (byte) c;
            }
        }
        size = n;
    }

    /**
     * Text given as UTF-8 bytes (a record's JSON as it arrived, or a part of it); null when {@code bytes} is. Copied
     * in runs between the bytes COPY must escape, which valid JSON rarely holds.
     */
    void utf8(byte[] bytes, int from, int to) throws SQLDataException {
        separate();
        if (bytes == null) {
            ascii("\\N");
            return;
        }
        ensure(2 * (to - from));
        int run = from;
        for (int i = from; i < to; i++) {
            byte c = bytes[i];
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == 0) {
                if (c == 0) {
                    throw nul();
                }
                System.arraycopy(bytes, run, out, size, i - run);
                size += i - run;
                out[size++] = '\\';
                out[size++] = c == '\\' ? (byte) '\\' : c == '\t' ? (byte) 't' : c == '\n' ? (byte) 'n' : (byte) 'r';
                run = i + 1;
            }
        }
        System.arraycopy(bytes, run, out, size, to - run);
        size += to - run;
    }

    private static SQLDataException nul() {
        return new SQLDataException("invalid byte sequence for encoding \"UTF8\": 0x00 (U+0000 in a text column)",
                "22021");
    }

    void bool(boolean value) {
        separate();
        ensure(1);
        out[size++] = (byte) (value ? 't' : 'f');
    }

    void number(Long value) {
        if (value == null) {
            separate();
            ascii("\\N");
        } else {
            number(value.longValue());
        }
    }

    void number(long value) {
        separate();
        ascii(Long.toString(value));
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

    /** Nanoseconds already rounded to whole microseconds (the column's precision), written as microseconds. */
    private void timestamp(int year, int month, int day, int hour, int minute, int second, int nanos) {
        ensure(32);
        digits(year, 4, '-');
        digits(month, 2, '-');
        digits(day, 2, ' ');
        digits(hour, 2, ':');
        digits(minute, 2, ':');
        digits(second, 2, '.');
        digits(nanos / 1000, 6, '+');
        out[size++] = '0';
        out[size++] = '0';
    }

    /** {@code value} in {@code width} decimal digits (zero-padded), then {@code after}. */
    private void digits(int value, int width, char after) {
        for (int i = width - 1; i >= 0; i--) {
            out[size + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += width;
        out[size++] = (byte) after;
    }

    private void ascii(String text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            out[size++] = (byte) text.charAt(i);
        }
    }

    private void ensure(int more) {
        if (size + more + 1 > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more + 1));
        }
    }

    void endRow() {
        ensure(1);
        out[size++] = '\n';
        rowStarted = false;
        rows++;
    }

    int rows() {
        return rows;
    }

    InputStream stream() {
        return new ByteArrayInputStream(out, 0, size);
    }

    private void separate() {
        if (rowStarted) {
            ensure(1);
            out[size++] = '\t';
        }
        rowStarted = true;
    }
}
