package dev.filetrail.lambda.config;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Builds the S3 and SNS clients the handlers use, from a {@link LambdaConfig}, tagged with the processor that
 * uses them ({@code app/filetrail-thumbnailer} in the User-Agent): CloudTrail shows which function called, and
 * the tests' call recorder checks each call against that function's IAM role.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /**
     * An S3 client for {@code processor} ({@code ProcessingResult.THUMBNAILER} or {@code METADATA}); with an
     * endpoint override it uses path-style addressing (local S3 servers have no per-bucket host names) and only
     * the checksums S3 requires, which every S3-compatible server accepts.
     */
    public static S3Client s3(LambdaConfig config, String processor) {
        var builder = S3Client.builder()
                .httpClient(httpClient())
                .overrideConfiguration(o -> o.appId("filetrail-" + processor))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config));
        if (config.s3Endpoint() != null) {
            builder.endpointOverride(config.s3Endpoint())
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    public static SnsClient sns(LambdaConfig config, String processor) {
        var builder = SnsClient.builder()
                .httpClient(httpClient())
                .overrideConfiguration(o -> o.appId("filetrail-" + processor))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config));
        if (config.snsEndpoint() != null) {
            builder.endpointOverride(config.snsEndpoint());
        }
        return builder.build();
    }

    private static SdkHttpClient httpClient() {
        // HttpURLConnection: no extra jars and the fastest client to initialise on a cold start.
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(60))
                .build();
    }

    private static AwsCredentialsProvider credentials(LambdaConfig config) {
        if (config.accessKeyId() != null && config.secretAccessKey() != null) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
