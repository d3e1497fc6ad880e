package dev.filetrail.lambda.config;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything the processors read from their environment. Defaults are the local stack's; inside AWS Lambda
 * (where {@code AWS_LAMBDA_FUNCTION_NAME} is set) an unset endpoint means the SDK's own and credentials come
 * from the runtime's role, never from a default.
 *
 * @param s3Endpoint        S3 endpoint override, or null for the SDK default (then virtual-hosted addressing)
 * @param snsEndpoint       SNS endpoint override, or null for the SDK default
 * @param accessKeyId       static credentials, or null to use the SDK's default credential chain
 * @param thumbnailSizes    long-side sizes in pixels, largest first
 * @param maxPixels         images with more pixels are refused as decompression bombs before decoding
 * @param jpegQuality       JPEG thumbnail quality in (0, 1]
 */
public record LambdaConfig(
        URI s3Endpoint,
        URI snsEndpoint,
        String region,
        String accessKeyId,
        String secretAccessKey,
        String derivativesBucket,
        String resultsTopicArn,
        List<Integer> thumbnailSizes,
        long maxPixels,
        float jpegQuality) {

    public static final String LOCAL_S3_ENDPOINT = "http://127.0.0.1:9000";
    public static final String LOCAL_SNS_ENDPOINT = "http://127.0.0.1:9911";
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String LOCAL_ACCESS_KEY = "filetrail";
    public static final String LOCAL_SECRET_KEY = "filetrail-local-secret";
    public static final String LOCAL_DERIVATIVES_BUCKET = "filetrail-local-derivatives";
    public static final String LOCAL_RESULTS_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:filetrail-processing-results";
    public static final List<Integer> DEFAULT_SIZES = List.of(1024, 256, 64);
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final float DEFAULT_JPEG_QUALITY = 0.85f;

    public LambdaConfig {
        if (thumbnailSizes == null || thumbnailSizes.isEmpty()) {
            throw new IllegalArgumentException("at least one thumbnail size is needed");
        }
        for (int size : thumbnailSizes) {
            if (size < 1 || size > 8192) {
                throw new IllegalArgumentException("thumbnail size " + size + " is outside 1..8192");
            }
        }
        // Largest first: the renderer decodes once for the largest and the idempotence check reads in order.
        thumbnailSizes = thumbnailSizes.stream().distinct().sorted((a, b) -> Integer.compare(b, a)).toList();
        if (maxPixels < 1) {
            throw new IllegalArgumentException("MAX_PIXELS must be positive");
        }
        if (!(jpegQuality > 0 && jpegQuality <= 1)) {
            throw new IllegalArgumentException("JPEG_QUALITY must be in (0, 1]");
        }
        if (derivativesBucket == null || derivativesBucket.isBlank()) {
            throw new IllegalArgumentException("DERIVATIVES_BUCKET is required");
        }
        if (resultsTopicArn == null || resultsTopicArn.isBlank()) {
            throw new IllegalArgumentException("RESULTS_TOPIC_ARN is required");
        }
    }

    /** The local stack's configuration, as every default below gives it. */
    public static LambdaConfig local() {
        return fromEnvironment(Map.of());
    }

    public static LambdaConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    public static LambdaConfig fromEnvironment(Map<String, String> env) {
        boolean inLambda = env.containsKey("AWS_LAMBDA_FUNCTION_NAME");
        URI s3 = endpoint(env, "S3_ENDPOINT", inLambda ? null : LOCAL_S3_ENDPOINT);
        URI sns = endpoint(env, "SNS_ENDPOINT", inLambda ? null : LOCAL_SNS_ENDPOINT);
        String accessKey = inLambda ? null : env.getOrDefault("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY);
        String secretKey = inLambda ? null : env.getOrDefault("AWS_SECRET_ACCESS_KEY", LOCAL_SECRET_KEY);
        return new LambdaConfig(
                s3,
                sns,
                nonBlank(env.get("AWS_REGION"), DEFAULT_REGION),
                accessKey,
                secretKey,
                nonBlank(env.get("DERIVATIVES_BUCKET"), LOCAL_DERIVATIVES_BUCKET),
                nonBlank(env.get("RESULTS_TOPIC_ARN"), LOCAL_RESULTS_TOPIC_ARN),
                sizes(nonBlank(env.get("THUMBNAIL_SIZES"), "64,256,1024")),
                Long.parseLong(nonBlank(env.get("MAX_PIXELS"), Long.toString(DEFAULT_MAX_PIXELS)).strip()),
                Float.parseFloat(nonBlank(env.get("JPEG_QUALITY"), Float.toString(DEFAULT_JPEG_QUALITY)).strip()));
    }

    /** A copy with other thumbnail sizes. */
    public LambdaConfig withThumbnailSizes(List<Integer> sizes) {
        return new LambdaConfig(s3Endpoint, snsEndpoint, region, accessKeyId, secretAccessKey, derivativesBucket,
                resultsTopicArn, sizes, maxPixels, jpegQuality);
    }

    /** A copy with another pixel limit. */
    public LambdaConfig withMaxPixels(long limit) {
        return new LambdaConfig(s3Endpoint, snsEndpoint, region, accessKeyId, secretAccessKey, derivativesBucket,
                resultsTopicArn, thumbnailSizes, limit, jpegQuality);
    }

    /** A copy pointing at other S3 and SNS endpoints, credentials and derivatives bucket. */
    public LambdaConfig withS3(URI endpoint, String accessKey, String secretKey, String bucket) {
        return new LambdaConfig(endpoint, snsEndpoint, region, accessKey, secretKey, bucket, resultsTopicArn,
                thumbnailSizes, maxPixels, jpegQuality);
    }

    private static URI endpoint(Map<String, String> env, String name, String fallback) {
        String value = env.containsKey(name) ? env.get(name) : fallback;
        return value == null || value.isBlank() ? null : URI.create(value.strip());
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static List<Integer> sizes(String csv) {
        try {
            return Arrays.stream(csv.split(","))
                    .map(String::strip)
                    .filter(s -> !s.isEmpty())
                    .map(Integer::valueOf)
                    .toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("THUMBNAIL_SIZES must be comma-separated integers: " + csv, e);
        }
    }
}
