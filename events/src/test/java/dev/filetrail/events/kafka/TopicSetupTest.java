package dev.filetrail.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.Topics;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

    @Test
    void compactedTopicsAreCompactedAndTheLogIsKeptForever() {
        var topics = new TopicSetup(6, (short) 3, 86_400_000L).definitions();
        assertThat(topics).extracting(NewTopic::name).containsExactlyElementsOf(Topics.ALL);
        for (NewTopic topic : topics) {
            assertThat(topic.numPartitions()).isEqualTo(6);
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
            String policy = topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (Topics.COMPACTED.contains(topic.name())) {
                assertThat(policy).as(topic.name()).isEqualTo("compact");
            } else if (topic.name().equals(Topics.AUDIT.name())) {
                assertThat(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG)).isEqualTo("86400000");
            } else {
                assertThat(policy).as(topic.name()).isEqualTo("delete");
                assertThat(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG)).as(topic.name()).isEqualTo("-1");
            }
        }
    }

    @Test
    void minInsyncReplicasLeavesOneReplicaToLoseButNeverDropsBelowOne() {
        assertThat(new TopicSetup(1, (short) 1, -1).minInsyncReplicas()).isEqualTo(1);
        assertThat(new TopicSetup(1, (short) 2, -1).minInsyncReplicas()).isEqualTo(1);
        assertThat(new TopicSetup(1, (short) 3, -1).minInsyncReplicas()).isEqualTo(2);
        assertThat(new TopicSetup(1, (short) 5, -1).minInsyncReplicas()).isEqualTo(4);
    }

    @Test
    void remoteStorageTiersOnlyTheDeletePolicyTopicsKeptForever() {
        var topics = new TopicSetup(3, (short) 3, 86_400_000L, true).definitions();
        for (NewTopic topic : topics) {
            boolean forever = "-1".equals(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG))
                    && "delete".equals(topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG));
            assertThat(topic.configs().get(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG)).as(topic.name())
                    .isEqualTo(forever ? "true" : null);
        }
        assertThat(topics).filteredOn(t -> t.configs().containsKey(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG))
                .extracting(NewTopic::name)
                .contains(Topics.OBJECT_EVENTS.name(), Topics.STREAMS_DLQ.name())
                .doesNotContain(Topics.FILES.name(), Topics.SHARE_LINKS.name(), Topics.AUDIT.name());
        assertThat(new TopicSetup(3, (short) 3, -1, false).definitions())
                .allSatisfy(t -> assertThat(t.configs()).doesNotContainKey(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG));
    }

    @Test
    void readsItsVariablesAndNamesTheOneThatIsWrong() {
        TopicSetup setup = TopicSetup.fromEnvironment(Map.of("TOPIC_PARTITIONS", "12", "TOPIC_REPLICATION_FACTOR", "3",
                "AUDIT_RETENTION_MS", "1000", "TOPIC_REMOTE_STORAGE", "true")::get);
        assertThat(setup.partitions()).isEqualTo(12);
        assertThat(setup.replicationFactor()).isEqualTo((short) 3);
        assertThat(setup.auditRetentionMs()).isEqualTo(1000);
        assertThat(setup.remoteStorage()).isTrue();
        TopicSetup defaults = TopicSetup.fromEnvironment(name -> null);
        assertThat(defaults.partitions()).isEqualTo(6);
        assertThat(defaults.replicationFactor()).isEqualTo((short) 1);
        assertThat(defaults.remoteStorage()).isFalse();
        assertThatThrownBy(() -> TopicSetup.fromEnvironment(Map.of("TOPIC_PARTITIONS", "six")::get))
                .hasMessageContaining("TOPIC_PARTITIONS");
        assertThatThrownBy(() -> TopicSetup.fromEnvironment(Map.of("TOPIC_REPLICATION_FACTOR", "0")::get))
                .hasMessageContaining("TOPIC_REPLICATION_FACTOR");
    }

    @Test
    void aSideBySideOutputKeepsItsContractsSettings() {
        NewTopic rebuilt = new TopicSetup(3, (short) 1, -1).definitionAs(Topics.FILES.name(), Topics.FILES.name() + ".rebuilt");
        assertThat(rebuilt.name()).isEqualTo("filetrail.files.v1.rebuilt");
        assertThat(rebuilt.configs()).containsEntry(TopicConfig.CLEANUP_POLICY_CONFIG, "compact");
        assertThatThrownBy(() -> new TopicSetup(3, (short) 1, -1).definitionAs("other", "x"))
                .hasMessageContaining("not a Filetrail topic");
    }
}
