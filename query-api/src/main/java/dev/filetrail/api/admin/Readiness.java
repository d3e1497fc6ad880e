package dev.filetrail.api.admin;

import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.api.urls.CloudFrontSigner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.LinkedHashMap;
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
    private final DataSource dataSource;
    private final Admin admin;
    private final Projector projector;
    private final long maxLag;
    private final Duration stuckAfter;
    /** Null for the projector alone, which signs nothing. */
    private final CloudFrontSigner signer;

    public Readiness(DataSource dataSource, Admin admin, Projector projector, long maxLag, Duration stuckAfter,
                     CloudFrontSigner signer) {
        this.dataSource = dataSource;
        this.admin = admin;
        this.projector = projector;
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
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
            s.setQueryTimeout(2);
            s.execute();
            checks.put("postgresql", "UP");
        } catch (Exception e) {
            checks.put("postgresql", "DOWN: " + e.getMessage());
            ready = false;
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
        checks.put("projection", projection);
        if (!projector.isRunning() || lag < 0 || lag > maxLag || retrying.compareTo(stuckAfter) > 0) {
            ready = false;
        }
        if (signer != null) {
            checks.put("urlSigning", signer.unavailableReason().map(reason -> "UNAVAILABLE: " + reason).orElse("UP"));
        }
        return new Report(ready, checks);
    }
}
