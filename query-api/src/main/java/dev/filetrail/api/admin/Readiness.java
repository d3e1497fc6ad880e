package dev.filetrail.api.http;

import dev.filetrail.api.projection.Projector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;

/** {@code /ready}: PostgreSQL answers, Kafka answers, and the projection is running and close behind. */
public final class Readiness {
    private final DataSource dataSource;
    private final Admin admin;
    private final Projector projector;
    private final long maxLag;

    public Readiness(DataSource dataSource, Admin admin, Projector projector, long maxLag) {
        this.dataSource = dataSource;
        this.admin = admin;
        this.projector = projector;
        this.maxLag = maxLag;
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
        Map<String, Object> projection = new LinkedHashMap<>();
        projection.put("running", projector.isRunning());
        projection.put("lag", lag);
        projection.put("maxLag", maxLag);
        checks.put("projection", projection);
        if (!projector.isRunning() || lag < 0 || lag > maxLag) {
            ready = false;
        }
        return new Report(ready, checks);
    }
}
