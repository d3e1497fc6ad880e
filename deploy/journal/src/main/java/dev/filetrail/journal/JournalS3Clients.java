package dev.filetrail.journal;

import java.util.Map;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.HttpClientProperties;
import org.apache.iceberg.aws.s3.S3FileIOAwsClientFactory;
import org.apache.iceberg.aws.s3.S3FileIOProperties;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The S3 clients of the journal's S3FileIO: built exactly as Iceberg's default factory builds them, plus the app id
 * {@code filetrail-<component>} every Filetrail AWS client carries, so CloudTrail names the caller and the IAM parity
 * check holds the warehouse calls against the right role.
 */
public final class JournalS3Clients implements S3FileIOAwsClientFactory {
    /** The catalog property naming the calling component ({@code journal}, {@code ops}). */
    public static final String COMPONENT = "filetrail.component";
    private static final long serialVersionUID = 1L;

    private S3FileIOProperties s3 = new S3FileIOProperties();
    private AwsClientProperties client = new AwsClientProperties();
    private HttpClientProperties http = new HttpClientProperties();
    private String component = JournalConfig.CONNECTOR_COMPONENT;

    @Override
    public void initialize(Map<String, String> properties) {
        s3 = new S3FileIOProperties(properties);
        client = new AwsClientProperties(properties);
        http = new HttpClientProperties(properties);
        component = properties.getOrDefault(COMPONENT, JournalConfig.CONNECTOR_COMPONENT);
    }

    @Override
    public S3Client s3() {
        S3ClientBuilder builder = S3Client.builder();
        client.applyClientRegionConfiguration(builder);
        client.applyClientCredentialConfigurations(builder);
        http.applyHttpClientConfigurations(builder);
        s3.applyEndpointConfigurations(builder);
        s3.applyServiceConfigurations(builder);
        s3.applySignerConfiguration(builder);
        s3.applyCredentialConfigurations(client, builder);
        s3.applyUserAgentConfigurations(builder);
        s3.applyRetryConfigurations(builder);
        // last, on top of what Iceberg set (its user-agent prefix), not instead of it
        ClientOverrideConfiguration current = builder.overrideConfiguration();
        builder.overrideConfiguration((current == null ? ClientOverrideConfiguration.builder() : current.toBuilder())
                .appId("filetrail-" + component).build());
        return builder.build();
    }

    @Override
    public S3AsyncClient s3Async() {
        // S3FileIO uses the async client only for S3 CRT and the analytics accelerator, which the journal leaves off
        S3AsyncClientBuilder builder = S3AsyncClient.builder();
        client.applyClientRegionConfiguration(builder);
        client.applyClientCredentialConfigurations(builder);
        s3.applyEndpointConfigurations(builder);
        s3.applyCredentialConfigurations(client, builder);
        return builder.overrideConfiguration(o -> o.appId("filetrail-" + component)).build();
    }
}
