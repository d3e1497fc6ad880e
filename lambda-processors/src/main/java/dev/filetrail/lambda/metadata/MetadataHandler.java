package dev.filetrail.lambda.metadata;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.config.AwsClients;
import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.results.ResultPublisher;
import dev.filetrail.lambda.results.SnsResultPublisher;
import dev.filetrail.lambda.s3event.NotificationDispatcher;
import software.amazon.awssdk.services.s3.S3Client;

/** Lambda handler {@code dev.filetrail.lambda.metadata.MetadataHandler::handleRequest}: SNS event in. */
public final class MetadataHandler implements RequestHandler<SNSEvent, Void> {
    private final NotificationDispatcher dispatcher;

    /** For the Lambda runtime: configuration from environment variables; clients built during init. */
    public MetadataHandler() {
        this(LambdaConfig.fromEnvironment());
    }

    public MetadataHandler(LambdaConfig config) {
        this(config, AwsClients.s3(config, ProcessingResult.METADATA),
                new SnsResultPublisher(AwsClients.sns(config, ProcessingResult.METADATA), config.resultsTopicArn()));
    }

    /** For tests and the local stack, which run the handler in-process with their own clients. */
    public MetadataHandler(LambdaConfig config, S3Client s3, ResultPublisher publisher) {
        this.dispatcher = new NotificationDispatcher(ProcessingResult.METADATA,
                MetadataProcessors.metadata(config, s3), publisher, MetadataProcessors.tags(s3));
    }

    @Override
    public Void handleRequest(SNSEvent event, Context context) {
        dispatcher.handle(event);
        return null;
    }
}
