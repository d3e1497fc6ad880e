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

    /**
     * One known cycle is let through: s3event's dispatcher publishes results, and results are built from s3event's
     * SourceVersion. It goes once the S3/SNS reader shared with the bridge (issue 21, item 2) replaces s3event.
     */
    @Test
    void itsPackagesFormNoCycleButTheKnownOne() {
        JavaClasses classes = ModuleArchitecture.mainClasses("dev.filetrail.lambda", ThumbnailHandler.class);
        ModuleArchitecture.noCycles("dev.filetrail.lambda")
                .ignoreDependency(dev.filetrail.lambda.s3event.NotificationDispatcher.class,
                        dev.filetrail.lambda.results.ResultPublisher.class)
                .check(classes);
    }
}
