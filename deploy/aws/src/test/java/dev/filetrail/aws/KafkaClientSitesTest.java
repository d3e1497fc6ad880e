package dev.filetrail.aws;

import dev.filetrail.events.kafka.KafkaClientSites;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.aws", FiletrailApp.class, KafkaClientSitesTest.class);
    }
}
