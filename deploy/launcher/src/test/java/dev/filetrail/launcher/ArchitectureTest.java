package dev.filetrail.launcher;

import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.events.ModuleArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void dependsOnlyOnEventsAndItsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.launcher", FiletrailCommand.class);
    }
}
