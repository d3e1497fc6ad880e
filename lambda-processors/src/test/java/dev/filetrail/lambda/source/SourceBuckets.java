package dev.filetrail.lambda.source;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.lambda.config.AwsClients;
import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.s3event.LambdaEvents;
import dev.filetrail.lambda.source.SourceVersion;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * A fresh versioned source bucket and derivatives bucket on the shared embedded S3, the processors' config
 * pointing at them, and uploads that return the S3 notification S3 would send for them.
 */
public final class SourceBuckets {
    public final EmbeddedS3 server;
    /** The test's own client for set-up and inspection: untagged, so its calls are nobody's in IAM's eyes. */
    public final S3Client s3;
    public final String source;
    public final String derivatives;
    public final LambdaConfig config;

    public SourceBuckets(EmbeddedS3 server) {
        this.server = server;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.source = "source-" + suffix;
        this.derivatives = "derivatives-" + suffix;
        server.createVersionedBucket(source);
        // Versioned too, so a test can tell a rewrite of a derivative from no write at all.
        server.createVersionedBucket(derivatives);
        this.config = LambdaConfig.local().withS3(server.endpoint(), LocalAws.ACCESS_KEY, LocalAws.SECRET_KEY,
                derivatives);
        this.s3 = server.client();
    }

    /** The client a processor builds for itself, tagged with its name as the Lambda's own is. */
    public S3Client s3For(String processor) {
        return AwsClients.s3(config, processor);
    }

    /** Puts an object and returns its created version as the notification names it. */
    public SourceVersion put(String key, byte[] bytes) {
        PutObjectResponse response = s3.putObject(b -> b.bucket(source).key(key).contentType("application/octet-stream"),
                RequestBody.fromBytes(bytes));
        return new SourceVersion(source, key, response.versionId(), (long) bytes.length, response.eTag(),
                "0055AED6DCD90281E5", "ObjectCreated:Put");
    }

    /** The S3 notification JSON for a created version, as S3 publishes it to SNS. */
    public static String notification(SourceVersion version) {
        return LambdaEvents.s3Notification(LambdaEvents.s3Record(version.eventName(), version.bucket(),
                version.key(), version.versionId(), version.size(), version.eTag(), version.sequencer()));
    }

    /** The version id of the newest write of a derivative: unchanged when nothing rewrote it. */
    public String latestDerivativeVersion(String key) {
        return s3.headObject(b -> b.bucket(derivatives).key(key)).versionId();
    }

    public List<String> derivativeKeys() {
        return s3.listObjectsV2(b -> b.bucket(derivatives)).contents().stream().map(o -> o.key()).toList();
    }
}
