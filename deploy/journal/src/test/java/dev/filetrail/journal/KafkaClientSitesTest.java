package dev.filetrail.journal;

import dev.filetrail.events.kafka.KafkaClientSites;

import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.journal", JournalConfig.class, JournalSamples.class);
    }
}
