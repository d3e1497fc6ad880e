package dev.filetrail.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** STREAMS_* membership and state variables → the settings Kafka Streams hands its consumers. */
class MembershipSettingsTest {

    /** What Kafka Streams itself makes of the settings (validation included) for stream thread 1's consumers. */
    private static StreamsConfig kafkaView(MetadataStreamsConfig config) {
        Map<String, Object> p = new HashMap<>(MetadataStreams.streamsSettings(config));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        return new StreamsConfig(p);
    }

    @Test
    void localDefaultsAreDynamicMembershipWithoutRack() {
        MetadataStreamsConfig defaults = MetadataStreamsConfig.fromEnvironment(Map.of());
        assertThat(defaults.membership()).isEqualTo(MetadataStreamsConfig.Membership.DYNAMIC);
        StreamsConfig kafka = kafkaView(defaults);
        Map<String, Object> main = kafka.getMainConsumerConfigs("g", "c", 1);
        assertThat(main).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
                .doesNotContainKey(ConsumerConfig.CLIENT_RACK_CONFIG)
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000);
        assertThat(kafka.getString(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_CONFIG)).isEqualTo("none");
        assertThat(kafka.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).isEmpty();
        assertThat(kafka.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isZero();
    }

    @Test
    void aTaskSlotsVariablesBecomeStaticMembershipRackAndStandbyPlacement() {
        MetadataStreamsConfig config = MetadataStreamsConfig.fromEnvironment(Map.of(
                "STREAMS_INSTANCE_ID", "filetrail-streams-2",
                "STREAMS_RACK", "apne2-az3",
                "STREAMS_RACK_AWARE_STRATEGY", "min_traffic",
                "STREAMS_SESSION_TIMEOUT_MS", "120000",
                "STREAMS_STANDBY_REPLICAS", "1",
                "STREAMS_STATE_DIR", "/var/lib/filetrail-streams/state"));
        assertThat(config.membership().isStatic()).isTrue();
        StreamsConfig kafka = kafkaView(config);
        assertThat(kafka.getString(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/filetrail-streams/state");
        assertThat(kafka.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(kafka.getString(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_CONFIG)).isEqualTo("min_traffic");
        assertThat(kafka.getList(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG)).containsExactly("zone");
        assertThat(kafka.getClientTags()).containsExactlyEntriesOf(Map.of("zone", "apne2-az3"));
        Map<String, Object> main = kafka.getMainConsumerConfigs("g", "c", 1);
        // Kafka Streams makes the id unique per stream thread.
        assertThat(main).containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "filetrail-streams-2-1")
                .containsEntry(ConsumerConfig.CLIENT_RACK_CONFIG, "apne2-az3")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 120_000);
        // The restore consumer fetches changelogs from the same zone, but is no group member.
        Map<String, Object> restore = kafka.getRestoreConsumerConfigs("c");
        assertThat(restore).containsEntry(ConsumerConfig.CLIENT_RACK_CONFIG, "apne2-az3")
                .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void theZoneComesFromTheEcsTaskMetadataWhenNoRackIsGiven() throws IOException {
        HttpServer ecs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // The shape of the v4 task metadata (trimmed): AvailabilityZone is a top-level field.
        byte[] task = """
                {"Cluster":"arn:aws:ecs:ap-northeast-2:111122223333:cluster/filetrail",
                 "TaskARN":"arn:aws:ecs:ap-northeast-2:111122223333:task/filetrail/0123",
                 "Family":"filetrail-streams","Revision":"7","LaunchType":"EC2",
                 "AvailabilityZone":"ap-northeast-2c","Containers":[]}
                """.getBytes(StandardCharsets.UTF_8);
        ecs.createContext("/v4/abc/task", exchange -> {
            exchange.sendResponseHeaders(200, task.length);
            exchange.getResponseBody().write(task);
            exchange.close();
        });
        ecs.start();
        try {
            String uri = "http://127.0.0.1:" + ecs.getAddress().getPort() + "/v4/abc";
            MetadataStreamsConfig fromTask = MetadataStreamsConfig.fromEnvironment(
                    Map.of("ECS_CONTAINER_METADATA_URI_V4", uri));
            assertThat(fromTask.membership().rack()).isEqualTo("ap-northeast-2c");
            assertThat(kafkaView(fromTask).getClientTags()).containsEntry("zone", "ap-northeast-2c");
            // An explicit rack wins (MSK's brokers name their zone by its id, e.g. apne2-az3).
            assertThat(MetadataStreamsConfig.fromEnvironment(Map.of("ECS_CONTAINER_METADATA_URI_V4", uri,
                    "STREAMS_RACK", "apne2-az3")).membership().rack()).isEqualTo("apne2-az3");
            // An endpoint that does not answer leaves the rack unknown; the service still starts.
            MetadataStreamsConfig unknown = MetadataStreamsConfig.fromEnvironment(
                    Map.of("ECS_CONTAINER_METADATA_URI_V4", uri.replace("/abc", "/gone")));
            assertThat(unknown.membership().rack()).isEmpty();
            assertThat(kafkaView(unknown).getMainConsumerConfigs("g", "c", 1))
                    .doesNotContainKey(ConsumerConfig.CLIENT_RACK_CONFIG);
        } finally {
            ecs.stop(0);
        }
    }

    @Test
    void badValuesAreRefusedWithTheVariableNamed() {
        assertThatThrownBy(() -> MetadataStreamsConfig.fromEnvironment(Map.of("STREAMS_RACK_AWARE_STRATEGY", "closest")))
                .hasMessageContaining("STREAMS_RACK_AWARE_STRATEGY");
        assertThatThrownBy(() -> MetadataStreamsConfig.fromEnvironment(Map.of("STREAMS_SESSION_TIMEOUT_MS", "0")))
                .hasMessageContaining("STREAMS_SESSION_TIMEOUT_MS");
        assertThat(MetadataStreamsConfig.fromEnvironment(Map.of("STREAMS_STATE_DIR", "/data/x")).stateDir())
                .isEqualTo(Path.of("/data/x"));
    }
}
