package dev.filetrail.events;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void eventsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.events", Json.class);
    }

    @Test
    void theRulesCatchACycleAndADependencyOnAnotherModule() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.filetrail.events.archfixture");
        assertThatThrownBy(() -> ModuleArchitecture.noCycles("dev.filetrail.events.archfixture").check(fixture))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Cycle");
        assertThatThrownBy(() -> ModuleArchitecture.onlyEvents("dev.filetrail.events.archfixture").check(fixture))
                .isInstanceOf(AssertionError.class).hasMessageContaining("dev.filetrail.archfixture.Foreign");
    }
}
