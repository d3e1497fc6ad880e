package dev.filetrail.local.sns;

/** A subscription of one endpoint (an SQS queue ARN or a Lambda function ARN) to one topic. */
public record Subscription(String arn, String topicArn, String protocol, String endpoint, boolean rawDelivery) {
    public Subscription withRawDelivery(boolean raw) {
        return new Subscription(arn, topicArn, protocol, endpoint, raw);
    }
}
