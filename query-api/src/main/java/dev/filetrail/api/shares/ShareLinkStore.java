package dev.filetrail.api.shares;

import dev.filetrail.api.StoredKey;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.api.shards.ShardFanOut;
import dev.filetrail.events.share.ShareLink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads projected share links. Over a sharded read model (the share-links topic is keyed by link id, so a link lives
 * in the shard of its id's partition): a link by id is read from that shard alone; by token hash, which names no
 * shard, every shard's unique index is asked at once and the shard that has it answers; a file's links, which may be
 * on any shard, are asked of every shard at once and merged in {@code (created_at, link_id)} order, a total order, so
 * the cursor holds across shards. Always the primaries: a share's create and revoke wait for their own write.
 */
public final class ShareLinkStore {
    private static final String COLUMNS = "link_id, bucket, key, token_sha256, pinned_version_id, resolved_version_id, "
            + "status, status_reason, expires_at, password_hash, allow_download, created_by, created_at, revoked_at, "
            + "revoked_by, access_count, last_access_at, last_command_id, updated_at";
    /** The statement's {@code ORDER BY created_at, link_id}: PostgreSQL puts NULLs last when ascending; ids are ASCII. */
    private static final Comparator<ShareLink> FILE_ORDER = Comparator
            .comparing(ShareLink::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(ShareLink::linkId);

    /** Every shard's primary, by index. */
    private final List<DataSource> shards;
    /** The shard of a link id; null with one shard. */
    private final ReadModelShards routing;
    private final ShardFanOut fanOut;

    /** Over one database. */
    public ShareLinkStore(DataSource dataSource) {
        this.shards = List.of(dataSource);
        this.routing = null;
        this.fanOut = ShardFanOut.sequential();
    }

    /** Over every shard of the read model, on their primaries, asking all of them through {@code fanOut}. */
    public ShareLinkStore(ReadModelShards shards, ShardFanOut fanOut) {
        List<DataSource> primaries = new ArrayList<>();
        for (int i = 0; i < shards.count(); i++) {
            primaries.add(shards.primary(i));
        }
        this.shards = List.copyOf(primaries);
        this.routing = shards.count() == 1 ? null : shards;
        this.fanOut = fanOut;
    }

    public Optional<ShareLink> byId(String linkId) {
        DataSource shard = routing == null ? shards.get(0) : shards.get(routing.shardOfShareLink(linkId));
        return one(shard, "SELECT " + COLUMNS + " FROM share_links WHERE link_id = ?", linkId);
    }

    /**
     * The link whose token hashes to {@code tokenSha256}. The hash names no shard, so every shard's unique index is
     * asked at once: one round trip instead of up to N, and a miss (a wrong or guessed token) costs the same as a
     * hit. A token is in one shard at most (a random secret); should two ever hold it, the lowest shard's answers,
     * as when they were asked in turn.
     */
    public Optional<ShareLink> byTokenHash(String tokenSha256) {
        String sql = "SELECT " + COLUMNS + " FROM share_links WHERE token_sha256 = ?";
        return fanOut.each(shards, shard -> one(shard, sql, tokenSha256)).stream().flatMap(Optional::stream)
                .findFirst();
    }

    /** Links of one file, oldest first, after the cursor position. */
    public List<ShareLink> forFile(String bucket, String key, Instant afterCreated, String afterId, int limit) {
        if (shards.size() == 1) {
            return forFile(shards.get(0), bucket, key, afterCreated, afterId, limit);
        }
        List<ShareLink> all = new ArrayList<>();
        fanOut.each(shards, shard -> forFile(shard, bucket, key, afterCreated, afterId, limit)).forEach(all::addAll);
        all.sort(FILE_ORDER);
        return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    }

    private static List<ShareLink> forFile(DataSource dataSource, String bucket, String key, Instant afterCreated,
                                           String afterId, int limit) {
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

    private static Optional<ShareLink> one(DataSource dataSource, String sql, String value) {
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
