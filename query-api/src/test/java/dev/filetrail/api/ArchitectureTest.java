package dev.filetrail.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import dev.filetrail.events.ModuleArchitecture;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    /** The feature packages: each owns its routes and storage, and none is imported by http/. */
    private static final String[] FEATURES = {"dev.filetrail.api.files..", "dev.filetrail.api.shares..",
            "dev.filetrail.api.audit..", "dev.filetrail.api.urls..", "dev.filetrail.api.edge..",
            "dev.filetrail.api.admin..", "dev.filetrail.api.projection.."};

    @Test
    void dependsOnlyOnEventsAndItsPackagesFormNoCycle() {
        ModuleArchitecture.assertModule("dev.filetrail.api", QueryApi.class);
    }

    @Test
    void httpKnowsNoFeature() {
        noClasses().that().resideInAPackage("dev.filetrail.api.http..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .as("http/ (routing, errors, key paths) depends on no feature package: features register their routes")
                .check(ModuleArchitecture.mainClasses("dev.filetrail.api", QueryApi.class));
    }
}
