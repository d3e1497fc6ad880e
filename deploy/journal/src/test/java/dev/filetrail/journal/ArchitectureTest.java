package dev.filetrail.journal;

import dev.filetrail.events.ModuleArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void dependsOnlyOnEventsAndItsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.journal", JournalConfig.class);
    }
}
