package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.kafka.KafkaRole;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A projector whose read model cannot be reached when its partitions are assigned (the stored offsets unreadable,
 * as while PostgreSQL restarts) keeps running and projects everything once the database answers again.
 */
@ExtendWith(RealParts.class)
class ProjectorOutageTest {
    @Test
    void offsetsUnreadableAtAssignmentAreReadAgainLaterAndNothingIsLost(KafkaCluster kafka, PostgresServer postgres)
            throws Exception {
        String bucket = "outage-" + Long.toHexString(System.nanoTime());
        String url = postgres.createDatabase("outage");
        String role = "projector_" + Long.toHexString(System.nanoTime());
        try (ReadModelDatabase owner = new ReadModelDatabase(url, PostgresServer.USER, PostgresServer.PASSWORD,
                "filetrail", "filetrail_keys", 2, "owner")) {
            owner.migrate();
        }
        sql(url, "CREATE ROLE " + role + " NOLOGIN PASSWORD 'p'",
                "GRANT USAGE ON SCHEMA filetrail, filetrail_keys TO " + role,
                "GRANT ALL ON ALL TABLES IN SCHEMA filetrail, filetrail_keys TO " + role,
                "GRANT ALL ON ALL SEQUENCES IN SCHEMA filetrail, filetrail_keys TO " + role);
        int keys = 50;
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(),
                new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < keys; i++) {
                FileHead head = new FileHead(bucket, "k/" + i, false, "v1", 1, 0, 10L, "\"e\"", "text/plain",
                        "STANDARD", Instant.parse("2025-01-01T00:00:00Z"), "v1");
                producer.send(new ProducerRecord<>(Topics.FILES.name(), Topics.objectKey(bucket, "k/" + i),
                        Topics.FILES.values().encode(head)));
            }
            producer.flush();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ReadModelDatabase db = new ReadModelDatabase(url, role, "p", "filetrail", "filetrail_keys", 2, "outage");
             Projector projector = new Projector(db.dataSource(), kafka.settings(KafkaRole.API),
                     KafkaRole.PROJECTOR_GROUP_PREFIX + "-outage-" + bucket, "filetrail", registry,
                     ProjectionListener.NONE)) {
            projector.start();
            ApiFixture.await("a transient failure outlived", () ->
                    registry.get("filetrail_projector_transient_failures").counter().count() >= 1);
            assertThat(projector.isRunning()).isTrue();
            sql(url, "ALTER ROLE " + role + " LOGIN");
            ApiFixture.await("every row once the database answers", () -> ProjectorTest.count(db,
                    "SELECT count(*) FROM files WHERE bucket = ?", bucket) == keys);
            assertThat(projector.isRunning()).isTrue();
            assertThat(projector.failure()).isNull();
        }
    }

    private static void sql(String url, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }
}
