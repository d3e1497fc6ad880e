package dev.filetrail.aws.processing;

import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the Lambda code and layer come from: the {@code lambdaJar} / {@code lambdaLayer} context paths, or,
 * when unset, placeholder folders shipped in deploy/aws/assets so that synth works before lambda-processors is built.
 */
public record LambdaAssets(Path code, Path layer, boolean placeholderCode, boolean placeholderLayer) {
    public static final String PLACEHOLDER_CODE = "placeholder-lambda-code";
    public static final String PLACEHOLDER_LAYER = "placeholder-lambda-layer";

    public static LambdaAssets from(StackConfig.Processing processing) {
        return new LambdaAssets(
                resolve(processing.lambdaJar(), "lambdaJar").orElse(ModuleHome.asset(PLACEHOLDER_CODE)),
                resolve(processing.lambdaLayer(), "lambdaLayer").orElse(ModuleHome.asset(PLACEHOLDER_LAYER)),
                processing.lambdaJar().isEmpty(),
                processing.lambdaLayer().isEmpty());
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
