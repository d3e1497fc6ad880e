package dev.filetrail.embedded;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.events.kafka.KafkaClientSites;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.embedded", EmbeddedKafka.class, RealPartsTest.class);
    }
}
