package dev.filetrail.lambda.s3event;

import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.source.SourceVersion;

/** Turns one created version into its result; bad input becomes a FAILED result, outages throw to be retried. */
@FunctionalInterface
public interface VersionProcessor {
    ProcessingResult process(SourceVersion source);
}
