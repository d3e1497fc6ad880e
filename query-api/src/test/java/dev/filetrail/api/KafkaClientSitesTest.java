package dev.filetrail.api;

import dev.filetrail.events.kafka.KafkaClientSites;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.api", QueryApi.class, KafkaClientSitesTest.class);
    }
}
