package dev.filetrail.lambda.metadata;

import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.derivatives.DerivativeStore;
import dev.filetrail.lambda.image.ImageDecoder;
import dev.filetrail.lambda.results.Results;
import dev.filetrail.lambda.source.SourceFetcher;
import dev.filetrail.lambda.tags.TagReader;
import dev.filetrail.lambda.tags.TagsProcessor;
import java.nio.file.Path;
import java.time.Clock;
import software.amazon.awssdk.services.s3.S3Client;

/** Wires a {@link MetadataProcessor} from configuration, shared by the SNS and SQS handlers. */
final class MetadataProcessors {
    private MetadataProcessors() {
    }

    static MetadataProcessor metadata(LambdaConfig config, S3Client s3) {
        return new MetadataProcessor(new SourceFetcher(s3, Path.of(System.getProperty("java.io.tmpdir"))),
                new DerivativeStore(s3, config.derivativesBucket()), new ImageDecoder(config.maxPixels()),
                new Results(Clock.systemUTC()), new TagReader(s3, Clock.systemUTC()));
    }

    /** The metadata Lambda's answer to tagging events: the version's tags. */
    static TagsProcessor tags(S3Client s3) {
        return new TagsProcessor(new TagReader(s3, Clock.systemUTC()), new Results(Clock.systemUTC()));
    }
}
