package dev.filetrail.lambda.metadata;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.config.AwsClients;
import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.results.ResultPublisher;
import dev.filetrail.lambda.results.SnsResultPublisher;
import dev.filetrail.lambda.s3event.NotificationDispatcher;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Lambda handler {@code dev.filetrail.lambda.metadata.MetadataQueueHandler::handleRequest}: SQS batch of SNS
 * envelopes in, partial batch failures out (enable ReportBatchItemFailures on the event source mapping).
 */
public final class MetadataQueueHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final NotificationDispatcher dispatcher;

    public MetadataQueueHandler() {
        this(LambdaConfig.fromEnvironment());
    }

    public MetadataQueueHandler(LambdaConfig config) {
        this(config, AwsClients.s3(config, ProcessingResult.METADATA),
                new SnsResultPublisher(AwsClients.sns(config, ProcessingResult.METADATA), config.resultsTopicArn()));
    }

    public MetadataQueueHandler(LambdaConfig config, S3Client s3, ResultPublisher publisher) {
        this.dispatcher = new NotificationDispatcher(ProcessingResult.METADATA,
                MetadataProcessors.metadata(config, s3), publisher, MetadataProcessors.tags(s3));
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return dispatcher.handle(event);
    }
}
