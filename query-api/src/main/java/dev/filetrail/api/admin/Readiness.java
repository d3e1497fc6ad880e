package dev.filetrail.api.admin;

import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.urls.CloudFrontSigner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code /ready}: PostgreSQL answers, Kafka answers, and the projection is running, close behind, and not stuck
 * retrying one batch for longer than {@code stuckAfter}. It also
 * reports whether URLs can be signed (API only); without a key the API still serves everything else, so that
 * alone does not make it unready (the load balancer would otherwise take away the history too).
 */
public final class Readiness {
    private final List<DataSource> shards;
    private final Admin admin;
    private final List<Projector> projectors;
    private final long maxLag;
    private final Duration stuckAfter;
    /** Null for the projector alone, which signs nothing. */
    private final CloudFrontSigner signer;

    public Readiness(DataSource dataSource, Admin admin, Projector projector, long maxLag, Duration stuckAfter,
                     CloudFrontSigner signer) {
        this(List.of(dataSource), admin, List.of(projector), maxLag, stuckAfter, signer);
    }

    /**
     * One database and projector per read-model shard, by index. With one shard the report is as it always was
     * ({@code postgresql}, {@code projection}); with more it adds {@code shards}: each shard's database and
     * projection, and the service is ready only when every shard is.
     */
    public Readiness(List<DataSource> shards, Admin admin, List<Projector> projectors, long maxLag, Duration stuckAfter,
                     CloudFrontSigner signer) {
        if (shards.size() != projectors.size() || shards.isEmpty()) {
            throw new IllegalArgumentException("one projector per shard: " + shards.size() + " shards, "
                    + projectors.size() + " projectors");
        }
        this.shards = List.copyOf(shards);
        this.admin = admin;
        this.projectors = List.copyOf(projectors);
        this.maxLag = maxLag;
        this.stuckAfter = stuckAfter;
        this.signer = signer;
    }

    /** Each check's outcome, and whether all passed. */
    public record Report(boolean ready, Map<String, Object> checks) {
    }

    public Report check() {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean ready = true;
        List<Map<String, Object>> perShard = new ArrayList<>();
        boolean allUp = true;
        for (int i = 0; i < shards.size(); i++) {
            Map<String, Object> shard = new LinkedHashMap<>();
            shard.put("shard", i);
            String database = database(shards.get(i));
            shard.put("postgresql", database);
            allUp &= database.equals("UP");
            Map<String, Object> projection = projection(projectors.get(i));
            shard.put("projection", projection);
            ready &= Boolean.TRUE.equals(projection.get("ready"));
            projection.remove("ready");
            perShard.add(shard);
        }
        ready &= allUp;
        if (shards.size() == 1) {
            checks.put("postgresql", perShard.get(0).get("postgresql"));
        } else {
            checks.put("postgresql", allUp ? "UP" : "DOWN (see shards)");
        }
        try {
            String cluster = admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
            checks.put("kafka", "UP (cluster " + cluster + ")");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            checks.put("kafka", "DOWN: " + e);
            ready = false;
        }
        if (shards.size() == 1) {
            checks.put("projection", perShard.get(0).get("projection"));
        } else {
            checks.put("shards", perShard);
        }
        if (signer != null) {
            checks.put("urlSigning", signer.unavailableReason().map(reason -> "UNAVAILABLE: " + reason).orElse("UP"));
        }
        return new Report(ready, checks);
    }

    private static String database(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
            s.setQueryTimeout(2);
            s.execute();
            return "UP";
        } catch (Exception e) {
            return "DOWN: " + e.getMessage();
        }
    }

    /** The projection's state; its {@code ready} entry says whether it passes (removed before reporting). */
    private Map<String, Object> projection(Projector projector) {
        long lag = projector.lag();
        Duration retrying = projector.retrying();
        Map<String, Object> projection = new LinkedHashMap<>();
        projection.put("running", projector.isRunning());
        projection.put("lag", lag);
        projection.put("maxLag", maxLag);
        projection.put("retryingSeconds", retrying.toMillis() / 1000.0);
        projection.put("stuckAfterSeconds", stuckAfter.toMillis() / 1000.0);
        if (projector.retryReason() != null) {
            projection.put("retryReason", projector.retryReason());
        }
        projection.put("ready", projector.isRunning() && lag >= 0 && lag <= maxLag
                && retrying.compareTo(stuckAfter) <= 0);
        return projection;
    }
}
