package dev.filetrail.api.shares;

import dev.filetrail.api.StoredKey;
import dev.filetrail.events.share.ShareLink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads projected share links. */
public final class ShareLinkStore {
    private static final String COLUMNS = "link_id, bucket, key, token_sha256, pinned_version_id, resolved_version_id, "
            + "status, status_reason, expires_at, password_hash, allow_download, created_by, created_at, revoked_at, "
            + "revoked_by, access_count, last_access_at, last_command_id, updated_at";
    private final DataSource dataSource;

    public ShareLinkStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<ShareLink> byId(String linkId) {
        return one("SELECT " + COLUMNS + " FROM share_links WHERE link_id = ?", linkId);
    }

    public Optional<ShareLink> byTokenHash(String tokenSha256) {
        return one("SELECT " + COLUMNS + " FROM share_links WHERE token_sha256 = ?", tokenSha256);
    }

    /** Links of one file, oldest first, after the cursor position. */
    public List<ShareLink> forFile(String bucket, String key, Instant afterCreated, String afterId, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM share_links WHERE bucket = ? AND key = ?"
                + (afterId == null ? "" : " AND (created_at, link_id) > (?, ?)")
                + " ORDER BY created_at, link_id LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, bucket);
            s.setString(i++, StoredKey.toColumn(key));
            if (afterId != null) {
                s.setTimestamp(i++, Timestamp.from(afterCreated));
                s.setString(i++, afterId);
            }
            s.setInt(i, limit);
            List<ShareLink> links = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    links.add(link(rs));
                }
            }
            return links;
        } catch (SQLException e) {
            throw new IllegalStateException("share link listing failed for " + bucket + "/" + key, e);
        }
    }

    private Optional<ShareLink> one(String sql, String value) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(link(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("share link lookup failed", e);
        }
    }

    private static ShareLink link(ResultSet rs) throws SQLException {
        return new ShareLink(rs.getString(1), rs.getString(2), StoredKey.fromColumn(rs.getString(3)), rs.getString(4),
                rs.getString(5), rs.getString(6), ShareLink.Status.valueOf(rs.getString(7)),
                StoredKey.fromColumn(rs.getString(8)), instant(rs, 9),
                rs.getString(10), rs.getBoolean(11), rs.getString(12), instant(rs, 13), instant(rs, 14),
                rs.getString(15), rs.getLong(16), instant(rs, 17), rs.getString(18), instant(rs, 19));
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        Timestamp t = rs.getTimestamp(index);
        return t == null ? null : t.toInstant();
    }
}
