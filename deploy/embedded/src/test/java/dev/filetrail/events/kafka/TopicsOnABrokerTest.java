package dev.filetrail.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.events.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * TopicSetup and RequiredTopics against a fresh secured broker of their own (the shared one already has every
 * topic): what a service sees before the operator created the topics, and what the operator's command reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TopicsOnABrokerTest {
    private EmbeddedKafka kafka;

    @BeforeAll
    void start() {
        kafka = EmbeddedKafka.start(0);
    }

    @AfterAll
    void stop() {
        kafka.close();
    }

    @Test
    void servicesFailFastNamingEachMissingTopicThenTheOperatorCreatesThemAndLaterReportsDrift() throws Exception {
        List<String> bridgeTopics = List.of(Topics.OBJECT_EVENTS.name(), Topics.PROCESSING_RESULTS.name(), Topics.INGEST_DLQ.name());
        try (Admin bridge = kafka.settings(KafkaRole.BRIDGE).newAdmin()) {
            assertThatThrownBy(() -> RequiredTopics.verify(bridge, bridgeTopics))
                    .isInstanceOf(RequiredTopics.NotReadyException.class)
                    .hasMessageContaining("topic filetrail.object-events.v1 is missing")
                    .hasMessageContaining("topic filetrail.processing-results.v1 is missing")
                    .hasMessageContaining("topic filetrail.ingest-dlq.v1 is missing")
                    .hasMessageContaining("filetrail topics create");
        }

        TopicSetup setup = new TopicSetup(2, (short) 1, -1);
        try (Admin ops = kafka.admin()) {
            TopicSetup.Report first = setup.ensure(ops);
            assertThat(first.created()).containsExactlyElementsOf(Topics.ALL);
            assertThat(first.drifted()).isFalse();
            TopicSetup.Report again = setup.ensure(ops);
            assertThat(again.created()).isEmpty();
            assertThat(again.existing()).containsExactlyElementsOf(Topics.ALL);
            assertThat(again.drifted()).isFalse();
        }
        try (Admin bridge = kafka.settings(KafkaRole.BRIDGE).newAdmin()) {
            assertThat(RequiredTopics.verify(bridge, bridgeTopics)).containsEntry(Topics.OBJECT_EVENTS.name(), 2);
        }
        try (Admin api = kafka.settings(KafkaRole.API).newAdmin()) {
            assertThatThrownBy(() -> RequiredTopics.verify(api, List.of(Topics.OBJECT_EVENTS.name())))
                    .hasMessageContaining("topic filetrail.object-events.v1 may not be described by this client's identity");
        }

        // Someone shortened a retention and grew one input by hand: the operator's command reports both, and a
        // service that joins the inputs refuses to start.
        try (Admin ops = kafka.admin()) {
            ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, Topics.INGEST_DLQ.name());
            ops.incrementalAlterConfigs(Map.of(dlq, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "604800000"), AlterConfigOp.OpType.SET)))).all().get();
            ops.createPartitions(Map.of(Topics.SHARE_COMMANDS.name(), NewPartitions.increaseTo(4))).all().get();
            TopicSetup.Report drift = setup.ensure(ops);
            assertThat(drift.created()).isEmpty();
            assertThat(drift.drift()).containsOnlyKeys(Topics.INGEST_DLQ.name(), Topics.SHARE_COMMANDS.name());
            assertThat(drift.drift().get(Topics.INGEST_DLQ.name())).containsExactly("retention.ms=604800000 (expected -1)");
            assertThat(drift.drift().get(Topics.SHARE_COMMANDS.name())).containsExactly("partitions 4 (expected 2)");
        }
        try (Admin streams = kafka.settings(KafkaRole.STREAMS).newAdmin()) {
            assertThatThrownBy(() -> RequiredTopics.verify(streams, Topics.CO_PARTITIONED))
                    .hasMessageContaining("co-partitioned topics differ in partition count (filetrail.object-events.v1 "
                            + "has 2, filetrail.processing-results.v1 has 2, filetrail.share-commands.v1 has 4, "
                            + "filetrail.access-events.v1 has 2)");
        }
    }
}
