package dev.filetrail.aws.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class FileBucketsTest {
    private static final Template DEFAULTS = Synth.defaults().main();
    private static final Template TUNED = Synth.tuned().main();

    private static String logicalId(Template template, String construct) {
        return Synth.resources(template.toJSON(), "AWS::S3::Bucket").keySet().stream()
                .filter(id -> id.startsWith("Buckets" + construct)).findFirst().orElseThrow();
    }

    @Test
    void bothBucketsAreVersionedPrivateAndEncrypted() {
        // the two file buckets, and the journal's warehouse and Athena results buckets (journal/JournalTest)
        DEFAULTS.resourceCountIs("AWS::S3::Bucket", 4);
        Map<String, Map<String, Object>> files = new java.util.TreeMap<>(
                Synth.resources(Synth.defaults().json(), "AWS::S3::Bucket"));
        files.keySet().removeIf(id -> !id.startsWith("Buckets"));
        assertThat(files).hasSize(2);
        for (Map<String, Object> bucket : files.values()) {
            assertThat(bucket).containsEntry("DeletionPolicy", "Retain").containsEntry("UpdateReplacePolicy", "Retain");
            Map<String, Object> p = Synth.properties(bucket);
            assertThat(p).containsEntry("VersioningConfiguration", Map.of("Status", "Enabled"))
                    .containsEntry("PublicAccessBlockConfiguration", Map.of(
                            "BlockPublicAcls", true, "BlockPublicPolicy", true,
                            "IgnorePublicAcls", true, "RestrictPublicBuckets", true))
                    .containsEntry("OwnershipControls", Map.of("Rules", List.of(Map.of("ObjectOwnership", "BucketOwnerEnforced"))))
                    .containsEntry("BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                            "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))));
        }
    }

    @Test
    void kmsOptionEncryptsBothBucketsWithTheStackKeyAndBucketKeys() {
        TUNED.allResourcesProperties("AWS::S3::Bucket", Map.of(
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "BucketKeyEnabled", true,
                        "ServerSideEncryptionByDefault", Map.of(
                                "SSEAlgorithm", "aws:kms",
                                "KMSMasterKeyID", Map.of("Fn::GetAtt", List.of(
                                        Match.stringLikeRegexp("DataKey.*"), "Arn"))))))));
        TUNED.hasResourceProperties("AWS::KMS::Key", Map.of("EnableKeyRotation", true));
    }

    @Test
    void bothBucketPoliciesDenyAnyRequestWithoutTls() {
        for (String bucket : List.of("Source", "Derivatives")) {
            String id = logicalId(DEFAULTS, bucket);
            DEFAULTS.hasResourceProperties("AWS::S3::BucketPolicy", Map.of(
                    "Bucket", Map.of("Ref", id),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Map.of(
                            "Effect", "Deny",
                            "Principal", Map.of("AWS", "*"),
                            "Action", "s3:*",
                            "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")),
                            "Resource", List.of(
                                    Map.of("Fn::GetAtt", List.of(id, "Arn")),
                                    Map.of("Fn::Join", List.of("", List.of(
                                            Map.of("Fn::GetAtt", List.of(id, "Arn")), "/*"))))))))));
        }
    }

    @Test
    void sourceLifecycleHasTheDocumentedTransitionsAndExpiries() {
        DEFAULTS.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "NotificationConfiguration", Match.anyValue(),
                "LifecycleConfiguration", Map.of("Rules", Match.exact(List.of(Map.of(
                        "Id", "noncurrent-versions",
                        "Status", "Enabled",
                        "NoncurrentVersionTransitions", List.of(
                                Map.of("StorageClass", "STANDARD_IA", "TransitionInDays", 30),
                                Map.of("StorageClass", "GLACIER_IR", "TransitionInDays", 90)),
                        "NoncurrentVersionExpiration", Map.of("NoncurrentDays", 365),
                        "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 7),
                        "ExpiredObjectDeleteMarker", true))))));
    }

    @Test
    void intelligentTieringOptionMovesCurrentObjectsAtOnce() {
        TUNED.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "NotificationConfiguration", Match.anyValue(),
                "LifecycleConfiguration", Map.of("Rules", Match.arrayWith(List.of(Map.of(
                        "Id", "current-to-intelligent-tiering",
                        "Status", "Enabled",
                        "Transitions", List.of(Map.of("StorageClass", "INTELLIGENT_TIERING", "TransitionInDays", 0))))))));
        // Not by default.
        assertThat(Synth.defaults().json().toString()).doesNotContain("INTELLIGENT_TIERING");
    }

    @Test
    void sourceBucketNotifiesTheObjectEventsTopicOfEveryChange() {
        Capture events = new Capture();
        DEFAULTS.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "NotificationConfiguration", Map.of("TopicConfigurations", events)));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> configurations = (List<Map<String, Object>>) (List<?>) events.asArray();

        assertThat(configurations).extracting(c -> c.get("Event")).containsExactlyInAnyOrder(
                "s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectRestore:*", "s3:ObjectTagging:*",
                "s3:LifecycleTransition", "s3:LifecycleExpiration:*");
        assertThat(configurations).extracting(c -> c.get("Topic").toString()).allMatch(t -> t.contains("IngestObjectEvents"));
        // Standard topic: S3 cannot notify a FIFO topic.
        DEFAULTS.hasResourceProperties("AWS::SNS::Topic", Map.of(
                "TopicName", "filetrail-object-events", "FifoTopic", Match.absent()));
    }

    @Test
    void intelligentTieringOptionAlsoSendsArchiveTierEvents() {
        assertThat(TUNED.toJSON().toString()).contains("s3:IntelligentTiering");
    }

    @Test
    void derivativesBucketNeverNotifiesSoThumbnailsCannotLoop() {
        String derivatives = logicalId(DEFAULTS, "Derivatives");
        assertThat(Synth.properties(Synth.resources(Synth.defaults().json(), "AWS::S3::Bucket").get(derivatives)))
                .doesNotContainKey("NotificationConfiguration");
        // Nor through CDK's notification custom resource or EventBridge.
        DEFAULTS.resourceCountIs("Custom::S3BucketNotifications", 0);
        assertThat(Synth.defaults().json().toString()).doesNotContain("EventBridgeConfiguration");
    }

    @Test
    void onlyTheSourceBucketOfThisAccountMayPublishToTheTopic() {
        DEFAULTS.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "s3.amazonaws.com"),
                        "Action", "sns:Publish",
                        "Condition", Map.of(
                                "ArnLike", Map.of("aws:SourceArn", Map.of("Fn::Join", List.of("", List.of(
                                        "arn:", Map.of("Ref", "AWS::Partition"), ":s3:::filetrail-source-",
                                        Map.of("Ref", "AWS::AccountId"), "-ap-northeast-2")))),
                                "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))))))))));
        // S3 checks the destination when it stores the notification configuration: the policy must exist first.
        DEFAULTS.hasResource("AWS::S3::Bucket", Map.of(
                "Properties", Map.of("NotificationConfiguration", Match.anyValue()),
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("IngestObjectEventsPolicy.*")))));
    }
}
