package dev.filetrail.api.audit;

import static io.javalin.apibuilder.ApiBuilder.get;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.StoredKey;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.http.Cursor;
import dev.filetrail.api.http.Requests;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.api.shards.ShardFanOut;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import io.javalin.apibuilder.EndpointGroup;
import io.javalin.http.Context;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** {@code GET /v1/audit}: CloudEvents by bucket, key, type and time range, oldest first, cursor-paged. */
public final class AuditRoutes implements EndpointGroup {
    /** Every read-model shard, by index (their replicas where they have them: the audit tolerates lag). */
    private final List<DataSource> shards;
    private final ShardFanOut fanOut;

    public AuditRoutes(DataSource dataSource) {
        this(List.of(dataSource), ShardFanOut.sequential());
    }

    /**
     * Over a sharded read model: every shard is asked at once (through {@code fanOut}) for its first rows after the
     * cursor and the answers merged in {@code (time, id)} order. That pair is a total order over all shards (ids are
     * unique), so the cursor, the last pair returned, is every shard's position at once and stays the same text with
     * any number of shards.
     */
    public AuditRoutes(List<DataSource> shards, ShardFanOut fanOut) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards");
        }
        this.shards = List.copyOf(shards);
        this.fanOut = fanOut;
    }

    /** Registers {@code GET /v1/audit}, which needs the {@code admin} scope. */
    @Override
    public void addEndpoints() {
        get("/v1/audit", this::query, Scope.ADMIN);
    }

    /** A page of audit events, each the CloudEvent as it was written. */
    public record AuditPage(List<JsonNode> events, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    }

    /** The filters of one query; nulls (and no buckets) mean "any"; buckets and prefix come from a scoped key. */
    public record AuditFilter(String bucket, String key, String type, Instant from, Instant to,
                              java.util.Set<String> buckets, String prefix) {
        /** The filters of a key that may see every bucket. */
        public AuditFilter(String bucket, String key, String type, Instant from, Instant to) {
            this(bucket, key, type, from, to, java.util.Set.of(), null);
        }
    }

    private void query(Context ctx) {
        ApiKeys.ApiKeyInfo caller = Authorizer.caller(ctx);
        String bucket = ctx.queryParam("bucket");
        String key = ctx.queryParam("key");
        String type = ctx.queryParam("type");
        if (bucket != null && !bucket.isEmpty()) {
            Requests.bucket(bucket);
        } else {
            bucket = null;
        }
        if (key != null && !key.isEmpty()) {
            if (bucket == null) {
                throw ApiProblem.badRequest("key needs bucket");
            }
            Requests.key(key);
        } else {
            key = null;
        }
        if (type != null && !type.isEmpty()) {
            if (!AuditTypes.ALL.contains(type)) {
                throw ApiProblem.badRequest("unknown type '" + type + "'; known types: " + AuditTypes.ALL);
            }
        } else {
            type = null;
        }
        // A key limited to buckets or a prefix sees only their events: a filter outside them is a 403, and the
        // query is narrowed to them.
        ApiKeys.Limits limits = caller.limits();
        if (bucket != null && !limits.allowsBucket(bucket) || key != null && !limits.allows(bucket, key)) {
            throw Authorizer.outside(caller, key != null ? bucket + "/" + key : "bucket " + bucket);
        }
        AuditFilter filter = new AuditFilter(bucket, key, type, Requests.instant(ctx, "from"), Requests.instant(ctx, "to"),
                bucket == null ? limits.buckets() : java.util.Set.of(), key == null ? limits.prefix() : null);
        if (filter.from() != null && filter.to() != null && !filter.from().isBefore(filter.to())) {
            throw ApiProblem.badRequest("from must be before to");
        }
        ctx.json(page(filter, ctx.queryParam("cursor"), Requests.limit(ctx)));
    }

    /** One page of the events {@code filter} selects after {@code cursor} (null: from the start), oldest first. */
    public AuditPage page(AuditFilter filter, String cursor, int limit) {
        String kind = "audit:" + filter;
        List<String> position = Cursor.decode(cursor, kind, 2);
        Instant afterTime = position == null ? null : Cursor.instant(position.get(0));
        String afterId = position == null ? null : position.get(1);
        List<Row> rows = new ArrayList<>();
        fanOut.each(shards, shard -> find(shard, filter, afterTime, afterId, limit + 1)).forEach(rows::addAll);
        if (shards.size() > 1) {
            // The order PostgreSQL sorts each shard by: time, then id in the column's "C" (byte) order.
            rows.sort(java.util.Comparator.comparing(Row::time).thenComparing(Row::id,
                    dev.filetrail.api.shards.ShardedFiles.KEY_ORDER));
        }
        String next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Row last = rows.get(limit - 1);
            next = Cursor.encode(kind, last.time().toString(), last.id());
        }
        return new AuditPage(rows.stream().map(Row::event).toList(), next);
    }

    private record Row(String id, Instant time, JsonNode event) {
    }

    private static List<Row> find(DataSource dataSource, AuditFilter filter, Instant afterTime, String afterId,
                                  int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, time, event FROM audit_events WHERE true");
        List<Object> params = new ArrayList<>();
        if (filter.bucket() != null) {
            sql.append(" AND bucket = ?");
            params.add(filter.bucket());
        }
        if (filter.key() != null) {
            sql.append(" AND key = ?");
            params.add(StoredKey.toColumn(filter.key()));
        }
        if (!filter.buckets().isEmpty()) {
            sql.append(" AND bucket = ANY (?)");
            params.add(filter.buckets().toArray(String[]::new));
        }
        if (filter.prefix() != null) {
            // Stored keys keep prefixes (StoredKey), so the stored prefix selects exactly the keys under it.
            sql.append(" AND starts_with(key, ?)");
            params.add(StoredKey.toColumn(filter.prefix()));
        }
        if (filter.type() != null) {
            sql.append(" AND type = ?");
            params.add(filter.type());
        }
        if (filter.from() != null) {
            sql.append(" AND time >= ?");
            params.add(Timestamp.from(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" AND time < ?");
            params.add(Timestamp.from(filter.to()));
        }
        if (afterId != null) {
            sql.append(" AND (time, id) > (?, ?)");
            params.add(Timestamp.from(afterTime));
            params.add(afterId);
        }
        sql.append(" ORDER BY time, id LIMIT ?");
        params.add(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i));
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getTimestamp(2).toInstant(), Json.MAPPER.readTree(rs.getString(3))));
                }
            }
            return rows;
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("audit query failed", e);
        }
    }
}
