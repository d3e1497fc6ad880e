package dev.filetrail.aws;

import java.nio.file.Files;
import java.nio.file.Path;

/** The deploy/aws folder, wherever the app was started from (CDK CLI, exec:java from the root, or tests). */
public final class ModuleHome {
    /** Set by the module's exec and surefire configuration to ${project.basedir}. */
    public static final String PROPERTY = "filetrail.aws.home";

    private ModuleHome() {
    }

    public static Path path() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.exists(cwd.resolve("cdk.json"))) {
            return cwd;
        }
        Path fromRoot = cwd.resolve("deploy").resolve("aws");
        return Files.isDirectory(fromRoot) ? fromRoot : cwd;
    }

    /** A file shipped with this module, under assets/. */
    public static Path asset(String name) {
        return path().resolve("assets").resolve(name);
    }
}
