package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalStackConfigTest {

    @Test
    void withKafkaSecuredChangesTheBrokerModeAndNothingElse() {
        LocalStackConfig secured = LocalStackConfig.fromEnvironment(
                java.util.Map.of("LOCAL_API_PORT", "18080", "TOPIC_PARTITIONS", "5"), Path.of("/tmp/work"));
        LocalStackConfig open = secured.withKafkaSecured(false);

        assertThat(secured.kafkaSecured()).isTrue();
        assertThat(open.kafkaSecured()).isFalse();
        assertThat(open.withKafkaSecured(true)).isEqualTo(secured);
        assertThat(open.apiPort()).isEqualTo(18080);
        assertThat(open.topicPartitions()).isEqualTo(5);
    }
}
