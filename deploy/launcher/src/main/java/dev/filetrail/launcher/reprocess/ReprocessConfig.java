package dev.filetrail.launcher.reprocess;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How {@code filetrail reprocess} reaches the processors, from environment variables with the local stack's defaults.
 *
 * @param lambdaEndpoint       Lambda's endpoint; empty means AWS's own for {@code region}
 * @param thumbnailFunction    the thumbnailer's function name (or ARN)
 * @param metadataFunction     the metadata extractor's function name (or ARN)
 * @param objectEventsTopicArn the topic the synthetic notifications say they came from (the S3 events topic)
 * @param allowedBuckets       buckets the processors may read; empty allows any (the local stack)
 */
public record ReprocessConfig(String lambdaEndpoint, String region, String accessKey, String secretKey,
                              String thumbnailFunction, String metadataFunction, String objectEventsTopicArn,
                              List<String> allowedBuckets) {
    public static final String LOCAL_LAMBDA_ENDPOINT = "http://127.0.0.1:9912";
    public static final String LOCAL_THUMBNAIL_FUNCTION = "filetrail-thumbnailer";
    public static final String LOCAL_METADATA_FUNCTION = "filetrail-metadata";

    public static ReprocessConfig from(Map<String, String> env) {
        String region = text(env, "AWS_REGION", "us-east-1");
        return new ReprocessConfig(
                text(env, "LAMBDA_ENDPOINT", LOCAL_LAMBDA_ENDPOINT),
                region,
                text(env, "AWS_ACCESS_KEY_ID", "filetrail"),
                text(env, "AWS_SECRET_ACCESS_KEY", "filetrail-local-secret"),
                required(env, "REPROCESS_THUMBNAIL_FUNCTION", LOCAL_THUMBNAIL_FUNCTION),
                required(env, "REPROCESS_METADATA_FUNCTION", LOCAL_METADATA_FUNCTION),
                text(env, "SNS_OBJECT_EVENTS_TOPIC_ARN", "arn:aws:sns:" + region + ":000000000000:filetrail-object-events"),
                Arrays.stream(text(env, "REPROCESS_BUCKETS", "").split(",")).map(String::trim)
                        .filter(b -> !b.isEmpty()).toList());
    }

    /** Whether the processors may be asked to read {@code bucket}. */
    public boolean allows(String bucket) {
        return allowedBuckets.isEmpty() || allowedBuckets.contains(bucket);
    }

    // Set but empty means "AWS's default" (the stack sets endpoints and keys empty), so only unset takes the default.
    private static String text(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null ? fallback : value.trim();
    }

    private static String required(Map<String, String> env, String name, String fallback) {
        String value = text(env, name, fallback);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must name a Lambda function");
        }
        return value;
    }
}
