package dev.filetrail.local;

import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.events.ModuleArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void dependsOnlyOnEventsAndItsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.local", LocalStack.class);
    }
}
