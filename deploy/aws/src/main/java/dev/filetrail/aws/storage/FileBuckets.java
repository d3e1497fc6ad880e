package dev.filetrail.aws.storage;

import dev.filetrail.aws.StackConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.CfnBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.NoncurrentVersionTransition;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.s3.StorageClass;
import software.amazon.awscdk.services.s3.Transition;
import software.amazon.awscdk.services.sns.ITopic;
import software.constructs.Construct;

/**
 * The source bucket (the files, versioned, the system of record's origin) and the derivatives bucket
 * (thumbnails), with identical protections.
 */
public final class FileBuckets extends Construct {
    /** S3 event types sent to the object-events topic: every change the event log records. */
    public static final List<String> SOURCE_EVENTS = List.of(
            "s3:ObjectCreated:*",
            "s3:ObjectRemoved:*",
            "s3:ObjectRestore:*",
            "s3:ObjectTagging:*",
            "s3:LifecycleTransition",
            "s3:LifecycleExpiration:*");

    private final Bucket source;
    private final Bucket derivatives;
    private final String sourceBucketName;
    private final boolean intelligentTiering;

    public FileBuckets(Construct scope, String id, StackConfig config, Optional<IKey> key) {
        super(scope, id);
        StackConfig.Storage storage = config.storage();
        String prefix = config.stackName().toLowerCase();
        // Names are derived from account and region (not generated from the bucket resource) so that the
        // topic policy can name the bucket before the bucket exists: S3 checks that policy when the bucket's
        // notification configuration is created, so the bucket must depend on it and not the other way round.
        sourceBucketName = storage.sourceBucketName()
                .orElse(prefix + "-source-" + Aws.ACCOUNT_ID + "-" + Stack.of(this).getRegion());
        String derivativesName = storage.derivativesBucketName()
                .orElse(prefix + "-derivatives-" + Aws.ACCOUNT_ID + "-" + Stack.of(this).getRegion());
        intelligentTiering = storage.intelligentTiering();

        source = protectedBucket("Source", sourceBucketName, key, sourceLifecycle(storage));
        derivatives = protectedBucket("Derivatives", derivativesName, key, List.of(noncurrentRule(storage)));
    }

    public Bucket source() {
        return source;
    }

    public Bucket derivatives() {
        return derivatives;
    }

    /**
     * Sends the source bucket's events to {@code topic} through the bucket's own notification configuration,
     * rather than CDK's notification custom resource, whose Lambda needs s3:PutBucketNotification on every bucket.
     * The derivatives bucket never notifies: thumbnails written there must not start another round of processing.
     */
    public void notify(ITopic topic) {
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("SourceBucketPublishes")
                .principals(List.of(new ServicePrincipal("s3.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of(
                        "ArnLike", Map.of("aws:SourceArn", "arn:" + Aws.PARTITION + ":s3:::" + sourceBucketName),
                        "StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
        List<String> events = new ArrayList<>(SOURCE_EVENTS);
        if (intelligentTiering) {
            events.add("s3:IntelligentTiering");
        }
        List<Object> configurations = events.stream()
                .map(event -> (Object) CfnBucket.TopicConfigurationProperty.builder()
                        .event(event).topic(topic.getTopicArn()).build())
                .toList();
        CfnBucket cfn = (CfnBucket) source.getNode().getDefaultChild();
        cfn.setNotificationConfiguration(CfnBucket.NotificationConfigurationProperty.builder()
                .topicConfigurations(configurations).build());
        source.getNode().addDependency(topic);
    }

    private Bucket protectedBucket(String id, String name, Optional<IKey> key, List<LifecycleRule> rules) {
        Bucket.Builder builder = Bucket.Builder.create(this, id)
                .bucketName(name)
                .versioned(true)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
                .enforceSsl(true)
                .minimumTlsVersion(1.2)
                .lifecycleRules(rules)
                // Petabytes are never deleted by a stack operation.
                .removalPolicy(RemovalPolicy.RETAIN);
        key.ifPresentOrElse(
                // Bucket keys cut KMS requests (and their cost) by orders of magnitude at this object count.
                k -> builder.encryption(BucketEncryption.KMS).encryptionKey(k).bucketKeyEnabled(true),
                () -> builder.encryption(BucketEncryption.S3_MANAGED));
        return builder.build();
    }

    private static List<LifecycleRule> sourceLifecycle(StackConfig.Storage storage) {
        List<LifecycleRule> rules = new ArrayList<>();
        rules.add(noncurrentRule(storage));
        if (storage.intelligentTiering()) {
            rules.add(LifecycleRule.builder()
                    .id("current-to-intelligent-tiering")
                    .transitions(List.of(Transition.builder()
                            .storageClass(StorageClass.INTELLIGENT_TIERING)
                            .transitionAfter(Duration.days(0))
                            .build()))
                    .build());
        }
        return rules;
    }

    private static LifecycleRule noncurrentRule(StackConfig.Storage storage) {
        return LifecycleRule.builder()
                .id("noncurrent-versions")
                .noncurrentVersionTransitions(List.of(
                        NoncurrentVersionTransition.builder()
                                .storageClass(StorageClass.INFREQUENT_ACCESS)
                                .transitionAfter(Duration.days(storage.noncurrentToStandardIaDays()))
                                .build(),
                        NoncurrentVersionTransition.builder()
                                .storageClass(StorageClass.GLACIER_INSTANT_RETRIEVAL)
                                .transitionAfter(Duration.days(storage.noncurrentToGlacierIrDays()))
                                .build()))
                .noncurrentVersionExpiration(Duration.days(storage.noncurrentExpirationDays()))
                .abortIncompleteMultipartUploadAfter(Duration.days(storage.abortIncompleteMultipartDays()))
                // Once its last noncurrent version has expired, a lone delete marker only slows listings.
                .expiredObjectDeleteMarker(true)
                .build();
    }
}
