package dev.filetrail.aws.processing;

import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the Lambda code and the optional layer come from: the {@code lambdaJar} / {@code lambdaLayer} context
 * paths; without a jar, a placeholder folder shipped in deploy/aws/assets so that synth works before
 * lambda-processors is built. The shaded jar carries every library the handlers use, so no layer is needed.
 */
public record LambdaAssets(Path code, Optional<Path> layer, boolean placeholderCode) {
    public static final String PLACEHOLDER_CODE = "placeholder-lambda-code";

    public static LambdaAssets from(StackConfig.Processing processing) {
        return new LambdaAssets(
                resolve(processing.lambdaJar(), "lambdaJar").orElse(ModuleHome.asset(PLACEHOLDER_CODE)),
                resolve(processing.lambdaLayer(), "lambdaLayer"),
                processing.lambdaJar().isEmpty());
    }

    private static Optional<Path> resolve(Optional<String> configured, String key) {
        return configured.map(text -> {
            // Relative to where the command was started, as a shell user expects.
            Path path = Path.of(text).toAbsolutePath().normalize();
            if (!Files.exists(path)) {
                throw new IllegalArgumentException("context " + key + " points to " + path + ", which does not exist");
            }
            return path;
        });
    }
}
