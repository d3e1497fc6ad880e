package dev.filetrail.api;

import dev.filetrail.api.admin.Readiness;
import dev.filetrail.api.projection.ProjectionListener;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.kafka.RequiredTopics;
import dev.filetrail.events.service.AdminServer;
import dev.filetrail.events.service.Service;
import dev.filetrail.events.service.ServiceShell;
import dev.filetrail.events.service.Status;
import java.util.Map;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side's own parts: pool and migrations, topics, the projector, and the admin port ({@code API_ADMIN_PORT}:
 * {@code /health}, {@code /ready}, {@code /metrics}). Run alone as {@code filetrail projector} ({@link #start()}),
 * and by {@link QueryApi}, which adds the HTTP API between starting the projector and serving the admin port.
 */
public final class ProjectorService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ProjectorService.class);

    private final ApiConfig config;
    private final PrometheusMeterRegistry registry;
    private final List<String> topics;
    private final ResourceStack resources = new ResourceStack();
    private ReadModelDatabase database;
    private Admin admin;
    private Projector projector;
    private AdminServer adminServer;

    public ProjectorService(ApiConfig config) {
        this(config, ServiceShell.registryWithJvmMetrics(), Projector.TOPICS);
    }

    /** @param topics the topics that must exist before anything starts (creating them is the operator's job) */
    public ProjectorService(ApiConfig config, PrometheusMeterRegistry registry, List<String> topics) {
        this.config = config;
        this.registry = registry;
        this.topics = List.copyOf(topics);
    }

    /** The projector alone: {@link #open()}, {@link #startProjector}, {@link #serveAdmin()}. */
    public ProjectorService start() {
        try {
            open().startProjector(ProjectionListener.NONE).serveAdmin();
            log.info("projector started alone group={} schema={} adminPort={}", config.projectorGroupId(),
                    config.databaseSchema(), adminPort());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens the pool, applies the migrations and checks that the topics exist and agree. */
    public ProjectorService open() {
        database = resources.push(ReadModelDatabase.forApi(config, "query-api", registry));
        database.migrate();
        admin = resources.push(config.kafka().newAdmin());
        RequiredTopics.verify(admin, topics);
        return this;
    }

    /** Starts the projector; {@code listener} hears of each committed batch. */
    public ProjectorService startProjector(ProjectionListener listener) {
        projector = resources.push(Projector.forApi(config, database.dataSource(), registry, listener));
        projector.start();
        return this;
    }

    /** Serves {@code /health}, {@code /ready} and {@code /metrics} on the admin port. */
    public ProjectorService serveAdmin() {
        return serveAdmin(null);
    }

    /** As {@link #serveAdmin()}, with {@code /ready} also reporting whether {@code signer} can sign URLs. */
    public ProjectorService serveAdmin(CloudFrontSigner signer) {
        Readiness readiness = new Readiness(database.dataSource(), admin, projector, config.readyMaxLag(),
                config.projectorStuckAfter(), signer);
        adminServer = resources.push(new AdminServer("query-api", config.adminPort(), registry, () -> {
            boolean up = projector.isRunning();
            return new Status(up, Map.of("status", up ? "UP" : "DOWN"));
        }, () -> {
            Readiness.Report report = readiness.check();
            return new Status(report.ready(), report);
        }));
        adminServer.start();
        return this;
    }

    public Projector projector() {
        return projector;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    /** The Kafka admin client opened at {@link #open()} (the change feed reads its topic's identity with it). */
    public Admin admin() {
        return admin;
    }

    /** The admin port, resolved when configured as 0. */
    @Override
    public int adminPort() {
        return adminServer == null ? -1 : adminServer.port();
    }

    @Override
    public void close() {
        resources.close();
    }
}
