package dev.filetrail.api.projection;

import static dev.filetrail.api.ApiFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.kafka.KafkaRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The projection notice contract on a real PostgreSQL: what a committed transaction sends reaches a listener in
 * another connection with every key intact, a rolled-back one sends nothing, a batch too large to list says "all",
 * the real projector sends one per batch, and a listener whose backend is killed reconnects and tells its
 * subscribers everything changed.
 */
@ExtendWith(RealParts.class)
class ProjectionNoticesTest {
    private static String url;
    private static ReadModelDatabase database;

    @BeforeAll
    static void database(PostgresServer postgres) {
        url = postgres.createDatabase("notices");
        database = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD, "filetrail",
                "filetrail_keys", 4, "notices-test");
        database.migrate();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    /** What one subscriber heard, in order: a list of keys per notice, null for "everything changed". */
    private static final class Heard implements ProjectionNotices.Subscriber {
        final List<List<BucketKey>> notices = new CopyOnWriteArrayList<>();
        final AtomicInteger everything = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();

        @Override
        public void listeningLost() {
            lost.incrementAndGet();
        }

        @Override
        public void changed(List<BucketKey> keys) {
            notices.add(keys);
        }

        @Override
        public void everythingChanged() {
            everything.incrementAndGet();
            notices.add(null);
        }

        List<List<BucketKey>> keyNotices() {
            return notices.stream().filter(n -> n != null).toList();
        }
    }

    private static ProjectionNotices listening(Heard heard, SimpleMeterRegistry registry) {
        ProjectionNotices notices = new ProjectionNotices(url, PostgresServer.USER, PostgresServer.PASSWORD, registry);
        notices.subscribe(heard);
        notices.start();
        await("the listener to listen and wake its subscribers once", () -> notices.connections() == 1
                && heard.everything.get() == 1);
        return notices;
    }

    private static void sendIn(boolean commit, List<BucketKey> keys) throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            ProjectionNotices.send(connection, keys);
            if (commit) {
                connection.commit();
            } else {
                connection.rollback();
            }
        }
    }

    @Test
    void aCommittedNoticeArrivesWithEveryKeyIntactAndARolledBackOneNever() throws Exception {
        Heard heard = new Heard();
        try (ProjectionNotices notices = listening(heard, new SimpleMeterRegistry())) {
            List<BucketKey> odd = List.of(new BucketKey("b1", "a\u0000b"), new BucketKey("b1", "quote\" back\\slash"),
                    new BucketKey("b2", "ünï/😀 +%2F\n"));
            sendIn(false, List.of(new BucketKey("b1", "rolled-back")));
            sendIn(true, odd);
            sendIn(true, List.of());
            sendIn(true, List.of(new BucketKey("b1", "last")));
            await("two notices", () -> heard.keyNotices().size() == 2);
            assertThat(heard.keyNotices()).containsExactly(odd, List.of(new BucketKey("b1", "last")));
            assertThat(heard.everything.get()).as("only the first connect's wake-up").isEqualTo(1);
        }
    }

    @Test
    void aBatchTooLargeToListIsSentAsAll() throws Exception {
        List<BucketKey> many = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            many.add(new BucketKey("bucket", "folder/file-" + i));
        }
        assertThat(ProjectionNotices.payload(many)).isEqualTo("{\"all\":true}");
        List<BucketKey> fits = many.subList(0, 100);
        assertThat(ProjectionNotices.parse(ProjectionNotices.payload(fits))).isEqualTo(fits);
        // Long keys near the limit: the real byte length decides, multi-byte characters included.
        List<BucketKey> wide = List.of(new BucketKey("b", "é".repeat(3_600)));
        assertThat(ProjectionNotices.payload(wide)).isEqualTo("{\"all\":true}");

        Heard heard = new Heard();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ProjectionNotices notices = listening(heard, registry)) {
            sendIn(true, many);
            await("the all notice", () -> heard.everything.get() == 2);
            assertThat(heard.keyNotices()).isEmpty();
            assertThat(registry.get("filetrail_projection_notices").tag("kind", "all").counter().count())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void theProjectorSendsOneNoticeNamingTheFilesOfEachBatch(KafkaCluster kafka) throws Exception {
        String bucket = "notices-" + Long.toHexString(System.nanoTime());
        Heard heard = new Heard();
        try (ProjectionNotices notices = listening(heard, new SimpleMeterRegistry());
             KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.STREAMS).newProducer(
                     Map.of(ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
             Projector projector = new Projector(database.dataSource(), kafka.settings(KafkaRole.API),
                     KafkaRole.PROJECTOR_GROUP_PREFIX + "-notices-" + bucket, "filetrail", new SimpleMeterRegistry(),
                     ProjectionListener.NONE)) {
            projector.start();
            // Past what earlier tests left on the shared topics first (every test class's records, poison ones bisected,
            // in batches too large to list, so "all" notices): on a loaded full run that takes more than 30 s.
            await("the projector caught up with the shared topics", java.time.Duration.ofMinutes(3),
                    () -> projector.lag() == 0);
            producer.send(versionCreated(bucket, "a/one.txt")).get();
            await("the first file's notice", () -> heard.keyNotices().stream()
                    .anyMatch(n -> n.contains(new BucketKey(bucket, "a/one.txt"))));
            producer.send(versionCreated(bucket, "a/two.txt")).get();
            await("the second file's notice", () -> heard.keyNotices().stream()
                    .anyMatch(n -> n.contains(new BucketKey(bucket, "a/two.txt"))));
            // The row is there when the notice is heard: PostgreSQL delivers it at the commit.
            assertThat(ProjectorTest.count(database, "SELECT count(*) FROM file_versions WHERE bucket = ?", bucket))
                    .isEqualTo(2);
        }
    }

    @Test
    void aKilledListeningBackendIsReplacedAndEverySubscriberToldEverythingChanged() throws Exception {
        Heard heard = new Heard();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ProjectionNotices notices = listening(heard, registry)) {
            int killed = notices.backendPid();
            assertThat(killed).isPositive();
            assertThat(registry.get("filetrail_projection_notices_listening").gauge().value()).isEqualTo(1.0);
            try (Connection connection = database.dataSource().getConnection();
                 PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
                terminate.setInt(1, killed);
                terminate.execute();
            }
            await("a new listening backend", () -> notices.connections() == 2 && notices.backendPid() != 0
                    && notices.backendPid() != killed);
            await("the wake-up after the reconnect", () -> heard.everything.get() == 2);
            assertThat(registry.get("filetrail_projection_notice_reconnects").counter().count()).isEqualTo(1.0);
            sendIn(true, List.of(new BucketKey("b", "after")));
            await("a notice on the new connection", () -> heard.keyNotices().contains(List.of(new BucketKey("b",
                    "after"))));
        }
    }

    @Test
    void withTwoShardsEachIsListenedToAndLosingOneStopsSubscribersUntilItListensAgain(PostgresServer postgres)
            throws Exception {
        String second = postgres.createDatabase("notices_shard1");
        Heard heard = new Heard();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ProjectionNotices notices = new ProjectionNotices(List.of(
                new ProjectionNotices.Endpoint(url, PostgresServer.USER, PostgresServer.PASSWORD),
                new ProjectionNotices.Endpoint(second, PostgresServer.USER, PostgresServer.PASSWORD)), registry)) {
            notices.subscribe(heard);
            notices.start();
            await("both shards listened to", () -> notices.connections(0) == 1 && notices.connections(1) == 1);
            await("the wake-up", () -> heard.everything.get() >= 1);
            assertThat(heard.everything.get()).as("one wake-up, once every shard listens").isEqualTo(1);
            assertThat(registry.get("filetrail_projection_notices_listening").gauge().value()).isEqualTo(1.0);
            sendIn(true, List.of(new BucketKey("b", "on-shard-0")));
            try (Connection connection = java.sql.DriverManager.getConnection(second, PostgresServer.USER,
                    PostgresServer.PASSWORD)) {
                connection.setAutoCommit(false);
                ProjectionNotices.send(connection, List.of(new BucketKey("b", "on-shard-1")));
                connection.commit();
            }
            await("a notice from each shard", () -> heard.keyNotices().containsAll(List.of(
                    List.of(new BucketKey("b", "on-shard-0")), List.of(new BucketKey("b", "on-shard-1")))));

            int killed = notices.backendPid(1);
            try (Connection connection = database.dataSource().getConnection();
                 PreparedStatement terminate = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
                terminate.setInt(1, killed);
                terminate.execute();
            }
            await("shard 1's loss told", () -> heard.lost.get() == 1);
            await("shard 1 listened to again and the wake-up", () -> notices.connections(1) == 2
                    && heard.everything.get() == 2);
            assertThat(notices.connections(0)).as("shard 0's connection untouched").isEqualTo(1);
            assertThat(notices.backendPid(1)).isNotEqualTo(killed).isPositive();
        }
    }

    private static ProducerRecord<String, byte[]> versionCreated(String bucket, String key) {
        Instant now = Instant.now();
        String versionId = "v" + UUID.randomUUID();
        FileVersion version = new FileVersion(bucket, key, versionId, "0000000000000001", false, 3L, "\"e\"",
                "STANDARD", now, "tester", "evt-" + versionId, null, null, null);
        FileHead head = new FileHead(bucket, key, false, versionId, 1, 0, 3L, "\"e\"", null, "STANDARD", now,
                versionId);
        FileVersionChange change = new FileVersionChange(UUID.randomUUID().toString(), ChangeType.VERSION_CREATED,
                bucket, key, versionId, version, head, version.createdEventId(), now);
        return new ProducerRecord<>(Topics.FILE_VERSIONS.name(), Topics.objectKey(bucket, key),
                Topics.FILE_VERSIONS.values().encode(change));
    }
}
