package dev.filetrail.lambda;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.filetrail.events.ModuleArchitecture;
import dev.filetrail.lambda.thumbnails.ThumbnailHandler;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    @Test
    void dependsOnlyOnEvents() {
        JavaClasses classes = ModuleArchitecture.mainClasses("dev.filetrail.lambda", ThumbnailHandler.class);
        ModuleArchitecture.onlyEvents("dev.filetrail.lambda").check(classes);
    }

    @Test
    void itsPackagesFormNoCycle() {
        JavaClasses classes = ModuleArchitecture.mainClasses("dev.filetrail.lambda", ThumbnailHandler.class);
        ModuleArchitecture.noCycles("dev.filetrail.lambda").check(classes);
    }
}
