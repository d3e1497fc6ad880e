package dev.filetrail.api;

import dev.filetrail.api.admin.Readiness;
import dev.filetrail.api.files.AsOfSnapshots;
import dev.filetrail.api.projection.ProjectionListener;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.kafka.RequiredTopics;
import dev.filetrail.events.service.AdminServer;
import dev.filetrail.events.service.Service;
import dev.filetrail.events.service.ServiceShell;
import dev.filetrail.events.service.Status;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private ReadModelShards shards;
    private Admin admin;
    /** One per shard, by index. */
    private final List<Projector> projectors = new ArrayList<>();
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
            log.info("projector started alone group={} schema={} shards={} adminPort={}", config.projectorGroupId(),
                    config.databaseSchema(), shards.count(), adminPort());
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens the pools of every read-model shard, applies the migrations to each, checks that the topics exist and
     * agree, and that their partition counts are multiples of the shard count.
     */
    public ProjectorService open() {
        shards = resources.push(ReadModelShards.open(config, "query-api", registry));
        shards.migrate();
        admin = resources.push(config.kafka().newAdmin());
        Map<String, Integer> partitions = RequiredTopics.verify(admin, topics);
        shards.checkPartitions(partitions, Projector.TOPICS);
        return this;
    }

    /**
     * Starts the projector; {@code listener} hears of each committed batch. With one shard it is the consumer
     * group's member, as always; with N, one projector per shard is assigned that shard's partitions and keeps its
     * offsets in that shard.
     */
    public ProjectorService startProjector(ProjectionListener listener) {
        if (shards.count() == 1) {
            projectors.add(resources.push(Projector.forApi(config, shards.primary(0), registry, listener)));
        } else {
            for (int i = 0; i < shards.count(); i++) {
                projectors.add(resources.push(new Projector(shards.primary(i), config.kafka(),
                        config.projectorGroupId(), config.databaseSchema(), registry, listener,
                        new Projector.ShardPartitions(i, shards.count()))));
            }
        }
        projectors.forEach(Projector::start);
        startSnapshots();
        return this;
    }

    /**
     * Takes each shard's head snapshots on a schedule (AS_OF_SNAPSHOT_INTERVAL), one runner per shard across every
     * instance (an advisory lock), the shards side by side: checked every interval, at most a minute apart, so a
     * failed or missed run is taken up soon. A failure is logged and retried at the next check; it never stops the
     * projector.
     */
    private void startSnapshots() {
        AsOfSnapshots.Settings settings = config.asOfSnapshots();
        if (!settings.enabled()) {
            return;
        }
        // A thread per shard: each shard is its own database, and a long fill of one does not hold up the others.
        AtomicInteger threads = new AtomicInteger();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(shards.count(), r -> {
            Thread t = new Thread(r, "as-of-snapshots-" + threads.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        // Stopped before the pools close (the stack closes in reverse), and waited for, so a fill is not cut off by them.
        resources.push((AutoCloseable) () -> {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        });
        long every = Math.max(1, Math.min(settings.interval().toMillis(), Duration.ofMinutes(1).toMillis()));
        for (int i = 0; i < shards.count(); i++) {
            AsOfSnapshots snapshots = new AsOfSnapshots(shards.primary(i), settings, Clock.systemUTC(), registry,
                    Integer.toString(i));
            int shard = i;
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    snapshots.runDue();
                } catch (RuntimeException e) {
                    log.warn("as-of snapshots failed shard={}; retried at the next check", shard, e);
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Serves {@code /health}, {@code /ready} and {@code /metrics} on the admin port. */
    public ProjectorService serveAdmin() {
        return serveAdmin(null);
    }

    /** As {@link #serveAdmin()}, with {@code /ready} also reporting whether {@code signer} can sign URLs. */
    public ProjectorService serveAdmin(CloudFrontSigner signer) {
        List<DataSource> primaries = new ArrayList<>();
        for (int i = 0; i < shards.count(); i++) {
            primaries.add(shards.primary(i));
        }
        Readiness readiness = new Readiness(primaries, admin, projectors, config.readyMaxLag(),
                config.projectorStuckAfter(), signer);
        adminServer = resources.push(new AdminServer("query-api", config.adminPort(), registry, () -> {
            boolean up = allRunning();
            return new Status(up, Map.of("status", up ? "UP" : "DOWN"));
        }, () -> {
            Readiness.Report report = readiness.check();
            return new Status(report.ready(), report);
        }));
        adminServer.start();
        return this;
    }

    /** The projector of shard 0: the only one unless the read model is sharded. */
    public Projector projector() {
        return projectors.isEmpty() ? null : projectors.get(0);
    }

    /** Every shard's projector, by shard index. */
    public List<Projector> projectors() {
        return List.copyOf(projectors);
    }

    /** Whether every shard's projector runs. */
    public boolean allRunning() {
        return !projectors.isEmpty() && projectors.stream().allMatch(Projector::isRunning);
    }

    /** Shard 0's primary: the read model when it is not sharded, and the API keys always. */
    public DataSource dataSource() {
        return shards.primary(0);
    }

    /** The read model's shards. */
    public ReadModelShards shards() {
        return shards;
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
