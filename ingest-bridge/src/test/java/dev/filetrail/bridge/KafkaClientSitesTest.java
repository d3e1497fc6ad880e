package dev.filetrail.bridge;

import dev.filetrail.events.kafka.KafkaClientSites;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.bridge", IngestBridge.class, KafkaClientSitesTest.class);
    }
}
