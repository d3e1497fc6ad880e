package dev.filetrail.streams;

import dev.filetrail.events.kafka.KafkaClientSites;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.streams", MetadataStreams.class, KafkaClientSitesTest.class);
    }
}
