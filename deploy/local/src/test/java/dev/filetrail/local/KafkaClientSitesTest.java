package dev.filetrail.local;

import dev.filetrail.events.kafka.KafkaClientSites;
import dev.filetrail.local.stack.LocalStack;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.local", LocalStack.class, KafkaClientSitesTest.class);
    }
}
