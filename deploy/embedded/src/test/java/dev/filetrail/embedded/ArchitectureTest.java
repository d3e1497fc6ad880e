package dev.filetrail.embedded;

import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.events.ModuleArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void dependsOnlyOnEventsAndItsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.embedded", EmbeddedKafka.class);
    }
}
