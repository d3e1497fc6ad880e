package dev.filetrail.lambda.results;

import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ProcessingResult;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.sns.model.PublishResponse;

/**
 * Publishes a {@link ProcessingResult} as its JSON (the events module's mapper) to the results topic, whose SQS
 * subscription the ingest-bridge carries into {@code filetrail.processing-results.v1}.
 */
public final class SnsResultPublisher implements ResultPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(SnsResultPublisher.class);

    private final SnsClient sns;
    private final String topicArn;

    public SnsResultPublisher(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(ProcessingResult result) {
        // Attributes let a subscription filter by processor or status without parsing the body.
        PublishRequest request = PublishRequest.builder()
                .topicArn(topicArn)
                .message(Json.writeString(result))
                .messageAttributes(Map.of(
                        "schema", attribute(ProcessingResult.SCHEMA),
                        "processor", attribute(result.processor()),
                        "status", attribute(result.status().name())))
                .build();
        PublishResponse response = sns.publish(request);
        LOG.info("published {} result {} for bucket={} key={} versionId={} as SNS message {}", result.processor(),
                result.status(), result.bucket(), result.key(), result.versionId(), response.messageId());
    }

    private static MessageAttributeValue attribute(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
