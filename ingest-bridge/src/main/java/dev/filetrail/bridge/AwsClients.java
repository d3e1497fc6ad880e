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

/**
 * Builds the SQS and S3 clients the configuration describes, tagged with the component that uses them: the SDK
 * sends {@code app/filetrail-<component>} in its User-Agent (visible in CloudTrail), and the tests' call recorder
 * attributes each call to that component's IAM role.
 */
public final class AwsClients {
    /** The ingest bridge service (task role of the bridge). */
    public static final String BRIDGE = "bridge";
    /** Operator commands run from the launcher (backfill, dlq, reconcile; the ops task's role). */
    public static final String OPS = "ops";

    private AwsClients() {
    }

    public static SqsClient sqs(BridgeConfig config, String component) {
        SqsClientBuilder builder = SqsClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .overrideConfiguration(o -> o.appId("filetrail-" + component))
                .httpClient(UrlConnectionHttpClient.create());
        if (!config.sqsEndpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.sqsEndpoint()));
        }
        return builder.build();
    }

    public static S3Client s3(BridgeConfig config, String component) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .overrideConfiguration(o -> o.appId("filetrail-" + component))
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
