package dev.filetrail.embedded.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.TaggingDirective;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The recorder sees real SDK calls through the global interceptor file, tagged by the client's app id. */
@ExtendWith(RealParts.class)
class AwsCallRecorderTest {
    @TempDir
    Path directory;
    private String previous;

    @BeforeEach
    void recordIntoATemporaryFolder() {
        // The module's own recordings stay untouched: this test writes where deploy/aws never looks.
        previous = System.getProperty(AwsCallRecorder.DIRECTORY_PROPERTY);
        System.setProperty(AwsCallRecorder.DIRECTORY_PROPERTY, directory.toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty(AwsCallRecorder.DIRECTORY_PROPERTY);
        } else {
            System.setProperty(AwsCallRecorder.DIRECTORY_PROPERTY, previous);
        }
    }

    @Test
    void recordsTaggedCallsWithTheirResourceAndStatusAndIgnoresUntaggedClients(EmbeddedS3 s3, EmbeddedSqs sqs)
            throws Exception {
        s3.createVersionedBucket("recorded-bucket");
        String queueUrl = sqs.createQueueWithDlq("recorded-queue", 3, 30);
        try (S3Client tagged = S3Client.builder()
                .endpointOverride(s3.endpoint()).forcePathStyle(true).region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials()).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.appId(AwsCallRecorder.APP_ID_PREFIX + "probe"))
                .build();
             SqsClient taggedSqs = SqsClient.builder()
                     .endpointOverride(sqs.endpoint()).region(LocalAws.REGION)
                     .credentialsProvider(LocalAws.credentials()).httpClient(UrlConnectionHttpClient.create())
                     .overrideConfiguration(o -> o.appId(AwsCallRecorder.APP_ID_PREFIX + "probe"))
                     .build();
             S3Client untagged = s3.client()) {
            String versionId = tagged.putObject(b -> b.bucket("recorded-bucket").key("dir/a b.txt"),
                    RequestBody.fromString("x")).versionId();
            tagged.putObject(b -> b.bucket("recorded-bucket").key("tagged.txt").tagging("team=blue"),
                    RequestBody.fromString("t"));
            tagged.copyObject(b -> b.sourceBucket("recorded-bucket").sourceKey("dir/a b.txt").sourceVersionId(versionId)
                    .destinationBucket("recorded-bucket").destinationKey("copy.txt"));
            tagged.copyObject(b -> b.sourceBucket("recorded-bucket").sourceKey("dir/a b.txt")
                    .destinationBucket("recorded-bucket").destinationKey("replaced.txt")
                    .taggingDirective(TaggingDirective.REPLACE));
            tagged.getObject(b -> b.bucket("recorded-bucket").key("dir/a b.txt").versionId(versionId)).close();
            assertThatThrownBy(() -> tagged.headObject(b -> b.bucket("recorded-bucket").key("missing")))
                    .isInstanceOf(NoSuchKeyException.class);
            tagged.listObjectVersions(b -> b.bucket("recorded-bucket"));
            taggedSqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("m"));
            untagged.listObjectsV2(b -> b.bucket("recorded-bucket"));
        }

        List<String> lines;
        try (var files = Files.list(directory)) {
            lines = files.flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertThat(lines).contains(
                line("s3", "PutObject", "arn:aws:s3:::recorded-bucket/dir/a b.txt", false, 200),
                line("s3", "PutObject", "arn:aws:s3:::recorded-bucket/tagged.txt", false, AwsCallRecorder.TAGS_SET, 200),
                // A copy is recorded at its destination; S3's default tagging directive copies the source's tags.
                line("s3", "CopyObject", "arn:aws:s3:::recorded-bucket/copy.txt", true, AwsCallRecorder.TAGS_COPIED,
                        200),
                line("s3", "CopyObject", "arn:aws:s3:::recorded-bucket/replaced.txt", false, 200),
                line("s3", "GetObject", "arn:aws:s3:::recorded-bucket/dir/a b.txt", true, 200),
                line("s3", "HeadObject", "arn:aws:s3:::recorded-bucket/missing", false, 404),
                line("s3", "ListObjectVersions", "arn:aws:s3:::recorded-bucket", false, 200),
                line("sqs", "SendMessage", "arn:aws:sqs:us-east-1:000000000000:recorded-queue", false, 200));
        // The untagged client is a test's own set-up, not a component: never recorded.
        assertThat(lines).noneMatch(l -> l.contains("ListObjectsV2")).allMatch(l -> l.contains("\"probe\""));
    }

    private static String line(String service, String operation, String arn, boolean versioned, int status) {
        return line(service, operation, arn, versioned, AwsCallRecorder.TAGS_NONE, status);
    }

    private static String line(String service, String operation, String arn, boolean versioned, String tags,
                               int status) {
        return new AwsCallRecorder.Call("probe", service, operation, "us-east-1", arn, versioned, tags, status).json();
    }
}
