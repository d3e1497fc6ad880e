package dev.filetrail.lambda.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
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
    // SNS and SQS accept only #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF in a message, and an
    // S3 key may hold U+FFFE or U+FFFF (ElasticMQ's JSON parser even takes U+FFFF for the end of its input): with
    // everything outside ASCII written as a JSON escape, the body reaches the queue whatever the key and reads back
    // to the same key.
    private static final ObjectWriter ASCII_JSON = Json.MAPPER.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

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
                .message(ascii(result))
                .messageAttributes(Map.of(
                        "schema", attribute(ProcessingResult.SCHEMA),
                        "processor", attribute(result.processor()),
                        "status", attribute(result.status().name())))
                .build();
        PublishResponse response = sns.publish(request);
        LOG.info("published {} result {} for bucket={} key={} versionId={} as SNS message {}", result.processor(),
                result.status(), result.bucket(), result.key(), result.versionId(), response.messageId());
    }

    /** The result's JSON with every character outside ASCII escaped. */
    static String ascii(ProcessingResult result) {
        try {
            return ASCII_JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write processing result as JSON", e);
        }
    }

    private static MessageAttributeValue attribute(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
