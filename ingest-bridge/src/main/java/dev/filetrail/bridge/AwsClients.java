package dev.filetrail.bridge;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/** Builds the SQS and S3 clients the configuration describes. */
public final class AwsClients {
    private AwsClients() {
    }

    public static SqsClient sqs(BridgeConfig config) {
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .httpClient(UrlConnectionHttpClient.create());
        if (!config.sqsEndpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.sqsEndpoint()));
        }
        return builder.build();
    }

    public static S3Client s3(BridgeConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .httpClient(UrlConnectionHttpClient.create());
        if (!config.s3Endpoint().isBlank()) {
            // Local S3 servers are addressed by path, not by bucket subdomain.
            builder.endpointOverride(URI.create(config.s3Endpoint()))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(BridgeConfig config) {
        // Blank keys mean "use the instance role / default chain", as in AWS.
        if (config.accessKey().isBlank() || config.secretKey().isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }
}
