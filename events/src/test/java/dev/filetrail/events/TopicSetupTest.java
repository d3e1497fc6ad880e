package dev.filetrail.events;

import static org.assertj.core.api.Assertions.assertThat;

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
            String policy = topic.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (Topics.COMPACTED.contains(topic.name())) {
                assertThat(policy).as(topic.name()).isEqualTo("compact");
            } else if (topic.name().equals(Topics.AUDIT)) {
                assertThat(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG)).isEqualTo("86400000");
            } else {
                assertThat(topic.configs().get(TopicConfig.RETENTION_MS_CONFIG)).as(topic.name()).isEqualTo("-1");
            }
        }
    }
}
