package dev.filetrail.api.restore;

import dev.filetrail.api.http.ApiProblem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The first answer to each {@code Idempotency-Key} of a caller, kept in PostgreSQL (table
 * {@code idempotent_requests} beside the API keys) so that it holds across restarts and across API instances. A key
 * is claimed before its action runs: a repeat sent while the first still runs is a 409 to retry, a repeat after it
 * gets the stored answer, and the same key with another request is a 422.
 */
public final class IdempotentRequests {
    /** The longest Idempotency-Key accepted. */
    public static final int MAX_KEY_LENGTH = 255;
    private static final int PENDING = 0;

    private final DataSource dataSource;

    public IdempotentRequests(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored answer: its status and JSON body. */
    public record Answer(int status, String body) {
    }

    /**
     * Claims {@code idempotencyKey} for the caller's request; empty when the caller should act now (then
     * {@link #complete} or {@link #release} must follow), the first answer when this request was answered before.
     */
    public Optional<Answer> claim(String callerId, String idempotencyKey, String requestSha256) {
        if (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_KEY_LENGTH
                || !idempotencyKey.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiProblem.badRequest("Idempotency-Key must be 1.." + MAX_KEY_LENGTH
                    + " printable ASCII characters");
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO idempotent_requests (key_id, "
                    + "idempotency_key, request_sha256, status) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                insert.setString(1, callerId);
                insert.setString(2, idempotencyKey);
                insert.setString(3, requestSha256);
                insert.setInt(4, PENDING);
                if (insert.executeUpdate() == 1) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement select = c.prepareStatement("SELECT request_sha256, status, response FROM "
                    + "idempotent_requests WHERE key_id = ? AND idempotency_key = ?")) {
                select.setString(1, callerId);
                select.setString(2, idempotencyKey);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        // Released between the insert and the select: the caller may simply send it again.
                        throw new ApiProblem(409, "idempotency-key-in-use", "Idempotency-Key in use",
                                "the first request with Idempotency-Key '" + idempotencyKey
                                        + "' has just failed; send it again");
                    }
                    if (!rs.getString(1).equals(requestSha256)) {
                        throw new ApiProblem(422, "idempotency-key-reused", "Idempotency-Key reused",
                                "Idempotency-Key '" + idempotencyKey + "' was first sent with another request "
                                        + "(method, path or body differ); use a new key for a new request");
                    }
                    if (rs.getInt(2) == PENDING) {
                        throw new ApiProblem(409, "idempotency-key-in-use", "Idempotency-Key in use",
                                "the first request with Idempotency-Key '" + idempotencyKey
                                        + "' is still running; send it again in a moment");
                    }
                    return Optional.of(new Answer(rs.getInt(2), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency key lookup failed for key " + callerId, e);
        }
    }

    /** Stores the answer the claimed request got (a success, or a problem that a repeat would get too). */
    public void complete(String callerId, String idempotencyKey, Answer answer) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE idempotent_requests SET status = ?, response = ?"
                     + " WHERE key_id = ? AND idempotency_key = ?")) {
            update.setInt(1, answer.status());
            update.setString(2, answer.body());
            update.setString(3, callerId);
            update.setString(4, idempotencyKey);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotent answer not stored for key " + callerId, e);
        }
    }

    /** Forgets a claim whose request failed for a passing reason (S3 or the database unavailable): a retry acts again. */
    public void release(String callerId, String idempotencyKey) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM idempotent_requests WHERE key_id = ? AND "
                     + "idempotency_key = ? AND status = " + PENDING)) {
            delete.setString(1, callerId);
            delete.setString(2, idempotencyKey);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency claim not released for key " + callerId, e);
        }
    }
}
