package dev.filetrail.api;

import java.sql.SQLDataException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The instants the read model stores: years 0001 to 9999 (UTC), what an ISO-8601 timestamp without an expanded year
 * can say and well inside PostgreSQL's {@code timestamptz}. The API refuses anything else at the door (400) and the
 * projector parks a record carrying anything else as a reject; neither lets PostgreSQL or {@link Timestamp} fail.
 */
public final class StoredTime {
    public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");
    /** The range as a sentence fragment for error messages. */
    public static final String RANGE = MIN + " .. " + MAX;

    private StoredTime() {
    }

    public static boolean contains(Instant instant) {
        return !instant.isBefore(MIN) && !instant.isAfter(MAX);
    }

    /**
     * The JDBC value of {@code instant} (null stays null); outside the range a {@link SQLDataException} with
     * SQLSTATE 22008 (datetime field overflow), the same data error PostgreSQL would raise.
     */
    public static Timestamp toColumn(Instant instant, String field) throws SQLDataException {
        if (instant == null) {
            return null;
        }
        if (!contains(instant)) {
            throw new SQLDataException(field + " " + instant + " is outside the stored range " + RANGE, "22008");
        }
        return Timestamp.from(instant);
    }
}
