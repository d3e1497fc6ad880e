package dev.filetrail.api;

import static dev.filetrail.api.ApiFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.files.AsOfSnapshots;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.kafka.KafkaRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The projector service takes head snapshots on its schedule (AS_OF_SNAPSHOT_INTERVAL) for every bucket that has
 * keys, and keeps AS_OF_SNAPSHOT_RETAIN of them; with PT0S it takes none.
 */
@ExtendWith(RealParts.class)
class ProjectorServiceSnapshotsTest {

    @Test
    void snapshotsAreTakenOnTheScheduleAndTheOldestDropped(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        Map<String, String> env = env(kafka, postgres, "sched", "PT1S");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ProjectorService service = new ProjectorService(ApiConfig.fromMap(env), registry, Projector.TOPICS)
                .start()) {
            version(service, "sched-bucket", "k");
            AsOfSnapshots snapshots = new AsOfSnapshots(service.dataSource(), AsOfSnapshots.Settings.DEFAULT,
                    Clock.systemUTC(), new SimpleMeterRegistry(), "test");
            // The topics are shared with every other test in this JVM, so the projector may bring other buckets in
            // and the service's counter counts their snapshots too: watch this bucket's own snapshots instead.
            await("a first scheduled snapshot of sched-bucket", Duration.ofSeconds(30),
                    () -> !ready(snapshots).isEmpty());
            Instant first = ready(snapshots).get(0).takenAt();
            // Retention drops the first only once a third is ready, and keeps two from then on.
            await("the first snapshot dropped and two kept", Duration.ofSeconds(30), () -> {
                List<AsOfSnapshots.Snapshot> kept = ready(snapshots);
                return kept.size() == 2 && kept.get(0).takenAt().isAfter(first);
            });
            assertThat(ready(snapshots)).as("every snapshot lists the one key").isNotEmpty()
                    .allMatch(s -> s.keys() == 1);
            assertThat(registry.find("filetrail.asof.snapshots.taken").counter().count()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void everyShardIsSnapshottedOnItsOwnThread(KafkaCluster kafka, PostgresServer postgres) throws Exception {
        Map<String, String> env = env(kafka, postgres, "shards", "PT1S");
        // Three: the shard count must divide the test topics' three partitions.
        env.put("READ_MODEL_SHARDS", postgres.createDatabase("snapshots_shard0") + ","
                + postgres.createDatabase("snapshots_shard1") + "," + postgres.createDatabase("snapshots_shard2"));
        try (ProjectorService service = new ProjectorService(ApiConfig.fromMap(env)).start()) {
            for (int shard = 0; shard < 3; shard++) {
                DataSource db = service.shards().primary(shard);
                String bucket = "shard-bucket-" + shard;
                version(db, bucket, "k");
                AsOfSnapshots snapshots = new AsOfSnapshots(db, AsOfSnapshots.Settings.DEFAULT, Clock.systemUTC(),
                        new SimpleMeterRegistry(), "test");
                await("a scheduled snapshot of shard " + shard, Duration.ofSeconds(30),
                        () -> snapshots.snapshots(bucket).stream().anyMatch(AsOfSnapshots.Snapshot::ready));
            }
            assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                    .as("one scheduler thread per shard")
                    .contains("as-of-snapshots-0", "as-of-snapshots-1", "as-of-snapshots-2");
        }
    }

    @Test
    void noSnapshotsWhenTurnedOff(KafkaCluster kafka, PostgresServer postgres) throws Exception {
        Map<String, String> env = env(kafka, postgres, "off", "PT0S");
        try (ProjectorService service = new ProjectorService(ApiConfig.fromMap(env)).start()) {
            version(service, "off-bucket", "k");
            Thread.sleep(2_500);
            assertThat(new AsOfSnapshots(service.dataSource(), AsOfSnapshots.Settings.DEFAULT, Clock.systemUTC(),
                    new SimpleMeterRegistry(), "test").snapshots("off-bucket")).isEmpty();
        }
    }

    private static List<AsOfSnapshots.Snapshot> ready(AsOfSnapshots snapshots) {
        return snapshots.snapshots("sched-bucket").stream().filter(AsOfSnapshots.Snapshot::ready).toList();
    }

    private static Map<String, String> env(KafkaCluster kafka, PostgresServer postgres, String name, String interval) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", postgres.createDatabase("snapshots_" + name));
        env.putAll(kafka.settings(KafkaRole.API).environment());
        env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-snapshots-" + name + "-" + System.nanoTime());
        env.put("API_ADMIN_PORT", "0");
        env.put("AS_OF_SNAPSHOT_INTERVAL", interval);
        env.put("AS_OF_SNAPSHOT_RETAIN", "2");
        return env;
    }

    private static void version(ProjectorService service, String bucket, String key) throws Exception {
        version(service.dataSource(), bucket, key);
    }

    private static void version(DataSource db, String bucket, String key) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id, ordering,"
                     + " delete_marker, created_at) VALUES (?, ?, 'v1', '0001', false, ?)")) {
            s.setString(1, bucket);
            s.setString(2, key);
            s.setTimestamp(3, Timestamp.from(Instant.now().minusSeconds(60)));
            s.executeUpdate();
        }
    }
}
