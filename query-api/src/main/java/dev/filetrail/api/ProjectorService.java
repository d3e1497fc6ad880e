package dev.filetrail.api;

import dev.filetrail.api.admin.AdminServer;
import dev.filetrail.api.admin.Readiness;
import dev.filetrail.api.projection.ProjectionListener;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.events.TopicSetup;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector run alone ({@code filetrail projector}): its own pool and migrations, topics ensured, and the same
 * admin port as the API ({@code API_ADMIN_PORT}: {@code /health}, {@code /ready}, {@code /metrics}).
 */
public final class ProjectorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProjectorService.class);

    private final ApiConfig config;
    private final PrometheusMeterRegistry registry = AdminServer.registryWithJvmMetrics();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ReadModelDatabase database;
    private Projector projector;
    private AdminServer adminServer;

    public ProjectorService(ApiConfig config) {
        this.config = config;
    }

    public ProjectorService start() {
        try {
            database = ReadModelDatabase.forApi(config, "projector");
            resources.add(database);
            database.migrate();
            Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers()));
            resources.add(admin);
            new TopicSetup(config.topicPartitions(), config.topicReplicationFactor(), config.auditRetentionMs())
                    .ensure(admin);
            projector = Projector.forApi(config, database.dataSource(), registry, ProjectionListener.NONE);
            resources.add(projector);
            projector.start();
            adminServer = new AdminServer(config.adminPort(), registry, projector::isRunning, new Readiness(
                    database.dataSource(), admin, projector, config.readyMaxLag(), config.projectorStuckAfter()));
            resources.add(adminServer);
            adminServer.start();
            log.info("projector started alone group={} schema={} adminPort={}", config.projectorGroupId(),
                    config.databaseSchema(), adminServer.port());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Projector projector() {
        return projector;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    /** The admin port, resolved when configured as 0. */
    public int adminPort() {
        return adminServer.port();
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("close failed resource={} reason={}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }
}
