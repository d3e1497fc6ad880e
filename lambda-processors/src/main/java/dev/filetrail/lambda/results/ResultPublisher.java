package dev.filetrail.lambda.results;

import dev.filetrail.events.processing.ProcessingResult;

/** Where processors send their results; in AWS and the local stack, the results SNS topic. */
@FunctionalInterface
public interface ResultPublisher {
    /** Publishes one result; throws when it could not, so the event is retried. */
    void publish(ProcessingResult result);
}
