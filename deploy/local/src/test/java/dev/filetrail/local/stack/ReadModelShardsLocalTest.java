package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.events.kafka.KafkaRole;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LOCAL_READ_MODEL_SHARDS=3}: the stack's parts start three PostgreSQL servers, name them in
 * {@code endpoints.json} ({@code postgresShards}) and hand them to the services as {@code READ_MODEL_SHARDS}, with
 * which the projector runs one consumer per shard.
 */
class ReadModelShardsLocalTest {
    @TempDir
    static Path output;

    @Test
    void threeShardsAreThreeServersInEndpointsAndTheServicesEnvironment() throws Exception {
        try (LocalStack stack = LocalStack.startParts(LocalStackConfig.ephemeral(output).withReadModelShards(3))) {
            Endpoints written = Endpoints.read(output.resolve("endpoints.json"));
            assertThat(written.postgresShards()).hasSize(3).doesNotHaveDuplicates().startsWith(written.postgres());
            assertThat(written.postgresShards()).extracting(url -> url.replaceAll("/[^/]*$", ""))
                    .as("each shard its own server").doesNotHaveDuplicates();
            Map<String, String> env = new HashMap<>(stack.serviceEnvironment(KafkaRole.API));
            assertThat(env.get("READ_MODEL_SHARDS")).isEqualTo(String.join(",", written.postgresShards()));
            env.put("API_ADMIN_PORT", "0");
            try (ProjectorService projector = new ProjectorService(ApiConfig.fromMap(env)).start()) {
                assertThat(projector.projectors()).hasSize(3);
                for (String url : written.postgresShards()) {
                    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                         ResultSet rs = c.createStatement().executeQuery(
                                 "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail'"
                                         + " AND table_name = 'projection_offsets'")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as(url).isEqualTo(1);
                    }
                }
            }
        }
    }
}
