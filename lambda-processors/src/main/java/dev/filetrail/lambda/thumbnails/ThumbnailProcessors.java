package dev.filetrail.lambda.thumbnails;

import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.derivatives.DerivativeStore;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.image.ThumbnailEncoder;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.source.SourceFetcher;
import java.nio.file.Path;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Client;

/** Wires a {@link Thumbnailer} from configuration, shared by the SNS and SQS handlers. */
final class ThumbnailProcessors {
    private ThumbnailProcessors() {
    }

    static Thumbnailer thumbnailer(LambdaConfig config, S3Client s3) {
        ThumbnailRenderer renderer = new ThumbnailRenderer(new ImageDecoder(config.maxPixels()),
                new ThumbnailEncoder(config.jpegQuality()), config.thumbnailSizes());
        Warmup.run(renderer);
        return new Thumbnailer(new SourceFetcher(s3, Path.of(System.getProperty("java.io.tmpdir"))),
                new DerivativeStore(s3, config.derivativesBucket()), renderer, new Results(Clock.systemUTC()));
    }
}
