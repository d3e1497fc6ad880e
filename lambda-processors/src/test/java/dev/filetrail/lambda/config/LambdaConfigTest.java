package dev.filetrail.lambda.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LambdaConfigTest {

    @Test
    void defaultsAreTheLocalStacks() {
        LambdaConfig config = LambdaConfig.fromEnvironment(Map.of());

        assertThat(config.s3Endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(config.snsEndpoint()).isEqualTo(URI.create("http://127.0.0.1:9911"));
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.accessKeyId()).isEqualTo("filetrail");
        assertThat(config.secretAccessKey()).isEqualTo("filetrail-local-secret");
        assertThat(config.derivativesBucket()).isEqualTo("filetrail-local-derivatives");
        assertThat(config.resultsTopicArn()).isEqualTo("arn:aws:sns:us-east-1:000000000000:filetrail-processing-results");
        assertThat(config.thumbnailSizes()).containsExactly(1024, 256, 64);
        assertThat(config.maxPixels()).isEqualTo(100_000_000L);
    }

    @Test
    void insideLambdaEndpointsAndCredentialsComeFromTheSdk() {
        LambdaConfig config = LambdaConfig.fromEnvironment(Map.of(
                "AWS_LAMBDA_FUNCTION_NAME", "filetrail-thumbnailer",
                "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "ASIAROLE",
                "AWS_SECRET_ACCESS_KEY", "role-secret",
                "DERIVATIVES_BUCKET", "prod-derivatives",
                "RESULTS_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:results",
                "THUMBNAIL_SIZES", " 128, 512 ,512",
                "MAX_PIXELS", "50000000"));

        assertThat(config.s3Endpoint()).isNull();
        assertThat(config.snsEndpoint()).isNull();
        assertThat(config.accessKeyId()).as("the role's session credentials need the SDK chain").isNull();
        assertThat(config.region()).isEqualTo("eu-west-1");
        assertThat(config.thumbnailSizes()).containsExactly(512, 128);
        assertThat(config.maxPixels()).isEqualTo(50_000_000L);
    }

    @Test
    void anEmptyEndpointMeansTheSdkDefault() {
        LambdaConfig config = LambdaConfig.fromEnvironment(Map.of("S3_ENDPOINT", "", "SNS_ENDPOINT", " "));

        assertThat(config.s3Endpoint()).isNull();
        assertThat(config.snsEndpoint()).isNull();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> LambdaConfig.fromEnvironment(Map.of("THUMBNAIL_SIZES", "64,big")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("THUMBNAIL_SIZES");
        assertThatThrownBy(() -> LambdaConfig.fromEnvironment(Map.of("THUMBNAIL_SIZES", "0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LambdaConfig.fromEnvironment(Map.of("MAX_PIXELS", "-1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
