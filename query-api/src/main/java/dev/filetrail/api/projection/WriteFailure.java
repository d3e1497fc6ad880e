package dev.filetrail.api.projection;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Why a projector transaction failed, from the SQLSTATE PostgreSQL (or the JDBC driver) gave: a data error means
 * the records themselves can never be written, so retrying cannot help; anything else (connection, serialization,
 * lock, resources, permissions, a missing table, no SQLSTATE at all) is retried, because it can pass or be fixed
 * without touching the records.
 */
record WriteFailure(boolean dataError, String sqlState, String reason) {
    /**
     * 21 cardinality violation, 22 data exception (value out of range, U+0000 in text, datetime overflow, bad
     * JSON), 23 integrity constraint violation, 44 check option violation, 54 program limit exceeded (an index row
     * too large).
     */
    static final Set<String> DATA_CLASSES = Set.of("21", "22", "23", "44", "54");

    static WriteFailure of(SQLException failure) {
        SQLException data = null;
        SQLException other = null;
        for (SQLException e : chain(failure)) {
            String state = e.getSQLState();
            if (state == null || state.length() != 5) {
                continue;
            }
            // The driver's batch exception repeats the whole statement; the server's own error follows it.
            boolean better = !(e instanceof BatchUpdateException);
            if (DATA_CLASSES.contains(state.substring(0, 2))) {
                if (data == null || better && data instanceof BatchUpdateException) {
                    data = e;
                }
            } else if (other == null || better && other instanceof BatchUpdateException) {
                other = e;
            }
        }
        if (data != null) {
            return new WriteFailure(true, data.getSQLState(), describe(data));
        }
        SQLException named = other == null ? failure : other;
        return new WriteFailure(false, named.getSQLState(), describe(named));
    }

    /** The exception, the driver's next exceptions (a batch's real error is there) and their causes. */
    private static Iterable<SQLException> chain(SQLException failure) {
        List<SQLException> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Throwable> todo = new ArrayDeque<>();
        todo.add(failure);
        while (!todo.isEmpty()) {
            Throwable t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof SQLException sql) {
                all.add(sql);
                if (sql.getNextException() != null) {
                    todo.add(sql.getNextException());
                }
            }
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
        }
        return all;
    }

    /** One line: the SQLSTATE and the message (a reason is logged and stored, never split over lines). */
    private static String describe(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return ((e.getSQLState() == null ? "" : "SQLSTATE " + e.getSQLState() + ": ") + message)
                .replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
