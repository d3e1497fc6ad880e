package dev.filetrail.launcher.reprocess;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Hands one event to a processor the way SNS does: an asynchronous Lambda {@code Invoke} ({@code InvocationType=Event}),
 * so Lambda queues it, retries a failed run twice and then sends it to the function's failure destination, exactly
 * as for a live upload. The client is tagged {@code app/filetrail-ops}: the call is the ops task role's.
 */
public final class ProcessorInvoker implements AutoCloseable {
    /** The component the calls are recorded under (the ops task's role in deploy/aws). */
    public static final String COMPONENT = "ops";

    private final LambdaClient lambda;
    private final ReprocessConfig config;

    public ProcessorInvoker(ReprocessConfig config) {
        this.config = config;
        LambdaClientBuilder builder = LambdaClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .overrideConfiguration(o -> o.appId("filetrail-" + COMPONENT))
                .httpClient(UrlConnectionHttpClient.create());
        if (!config.lambdaEndpoint().isBlank()) {
            builder.endpointOverride(URI.create(config.lambdaEndpoint()));
        }
        this.lambda = builder.build();
    }

    /** Queues {@code eventJson} for {@code processor}; returns once Lambda accepted it (HTTP 202). */
    public void invoke(Processor processor, String eventJson) {
        String function = processor == Processor.THUMBNAILER ? config.thumbnailFunction() : config.metadataFunction();
        InvokeResponse response = lambda.invoke(b -> b.functionName(function).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(eventJson)));
        if (response.statusCode() != 202) {
            throw new IllegalStateException("Lambda answered " + response.statusCode() + " to an asynchronous Invoke of "
                    + function + " (202 expected)");
        }
    }

    private static AwsCredentialsProvider credentials(ReprocessConfig config) {
        // Blank keys mean the task role (the SDK's default chain), as everywhere in AWS.
        if (config.accessKey().isBlank() || config.secretKey().isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }

    @Override
    public void close() {
        lambda.close();
    }
}
