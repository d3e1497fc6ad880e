package dev.filetrail.launcher;

import dev.filetrail.events.kafka.KafkaClientSites;
import dev.filetrail.launcher.cli.FiletrailCommand;
import org.junit.jupiter.api.Test;

class KafkaClientSitesTest {

    @Test
    void kafkaClientsAreBuiltOnlyThroughKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.launcher", FiletrailCommand.class, KafkaClientSitesTest.class);
    }
}
