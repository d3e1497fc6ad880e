package dev.filetrail.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The one ISO-8601 instant codec of every Filetrail record: reads and writes the one form S3 and Filetrail write
 * ({@code 2025-03-14T09:26:53.589Z}) without {@code DateTimeFormatter}, which was the largest single cost of reading
 * an event and the second largest of writing one (BENCHMARKS.md). Anything else goes to the standard parser, so
 * every answer is the standard one.
 */
public final class IsoInstants {
    /** Year 10000 starts here; {@link #write} handles the years before it. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private IsoInstants() {
    }

    /** Same answer as {@link Instant#parse} (including its exception), faster for {@code yyyy-MM-ddTHH:mm:ss[.f]Z}. */
    public static Instant parse(String text) {
        Instant fast = parseUtc(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or null when the text is not exactly that form. */
    public static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            nanos = digits(s, 20, fraction);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        return Instant.ofEpochSecond(LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600L
                + minute * 60L + second, nanos);
    }

    /**
     * Writes {@code t} into {@code out} (30 chars suffice) as {@code DateTimeFormatter.ISO_INSTANT} does (what
     * JavaTimeModule writes): the fraction in groups of three digits, as many as needed, none for whole seconds.
     * Years 1970 to 9999 only (S3's range); answers -1 for any other, and the caller writes
     * {@link Instant#toString()}.
     *
     * @return the number of chars written, or -1
     */
    public static int write(Instant t, char[] out) {
        long seconds = t.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return -1;
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int secondOfDay = (int) (seconds % 86_400);
        int at = write(out, 0, date.getYear(), 4);
        out[at++] = '-';
        at = write(out, at, date.getMonthValue(), 2);
        out[at++] = '-';
        at = write(out, at, date.getDayOfMonth(), 2);
        out[at++] = 'T';
        at = write(out, at, secondOfDay / 3600, 2);
        out[at++] = ':';
        at = write(out, at, secondOfDay / 60 % 60, 2);
        out[at++] = ':';
        at = write(out, at, secondOfDay % 60, 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            out[at++] = '.';
            if (nanos % 1_000_000 == 0) {
                at = write(out, at, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                at = write(out, at, nanos / 1_000, 6);
            } else {
                at = write(out, at, nanos, 9);
            }
        }
        out[at++] = 'Z';
        return at;
    }

    /** A Jackson module that reads instants with {@link #parseUtc} first, then with JavaTimeModule's reader. */
    public static SimpleModule module() {
        return new SimpleModule("filetrail-iso-instants").addDeserializer(Instant.class, new Deserializer());
    }

    /** The decimal value of {@code count} chars from {@code from}, or -1 if any is not an ASCII digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int write(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    private static final class Deserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                Instant fast = parseUtc(p.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return InstantDeserializer.INSTANT.deserialize(p, ctxt);
        }

        @Override
        public Class<?> handledType() {
            return Instant.class;
        }
    }
}
