package dev.filetrail.aws.processing;

import dev.filetrail.aws.LogGroups;
import dev.filetrail.aws.StackConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.sns.FilterOrPolicy;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.StringConditions;
import software.amazon.awscdk.services.sns.SubscriptionFilter;
import software.amazon.awscdk.services.sns.subscriptions.LambdaSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The thumbnailer and metadata-extractor Lambdas, subscribed to the object-events topic with filter policies,
 * an optional layer of shared libraries, and the queue where failed invocations end up.
 */
public final class Processors extends Construct {
    public static final String THUMBNAIL_HANDLER = "dev.filetrail.lambda.thumbnails.ThumbnailHandler::handleRequest";
    public static final String METADATA_HANDLER = "dev.filetrail.lambda.metadata.MetadataHandler::handleRequest";
    /**
     * Derivatives live under this prefix in their bucket and the same path on CloudFront, which routes it to the
     * derivatives bucket; source keys starting with it are therefore not served by the CDN.
     */
    public static final String DERIVATIVES_PREFIX = "_derivatives/";
    /**
     * Object key suffixes the thumbnailer is invoked for. SNS matches suffixes case-sensitively, so each is listed
     * in lower and upper case; SNS caps a policy at 150 value combinations (counted times nesting depth, 2 x 4
     * here), which leaves room for these 18 values.
     */
    public static final List<String> IMAGE_SUFFIXES = List.of(
            ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".tif", ".tiff");

    private final Function thumbnailer;
    private final Function metadata;
    private final Queue failures;
    private final Optional<LayerVersion> layer;

    /** What the functions read and write. */
    public record Wiring(IBucket source, IBucket derivatives, ITopic objectEvents, ITopic results, Optional<IKey> key) {
    }

    public Processors(Construct scope, String id, StackConfig config, Wiring wiring) {
        super(scope, id);
        StackConfig.Processing processing = config.processing();
        LambdaAssets assets = LambdaAssets.from(processing);
        String prefix = config.stackName().toLowerCase();
        if (assets.placeholderCode()) {
            Annotations.of(this).addWarningV2("filetrail:placeholder-lambda-code",
                    "Lambda code is a placeholder: pass -c lambdaJar=<lambda-processors shaded jar> before deploying");
        }

        Queue.Builder failuresBuilder = Queue.Builder.create(this, "Failures")
                .queueName(prefix + "-processing-failures")
                .retentionPeriod(Duration.days(14))
                .enforceSsl(true);
        wiring.key().ifPresentOrElse(
                k -> failuresBuilder.encryption(QueueEncryption.KMS).encryptionMasterKey(k),
                () -> failuresBuilder.encryption(QueueEncryption.SQS_MANAGED));
        failures = failuresBuilder.build();

        layer = assets.layer().map(path -> LayerVersion.Builder.create(this, "SharedLibraries")
                .layerVersionName(prefix + "-processing-libraries")
                .description("Libraries shared by the processors")
                .code(Code.fromAsset(path.toString()))
                .compatibleRuntimes(List.of(Runtime.JAVA_21))
                .compatibleArchitectures(List.of(Architecture.ARM_64))
                // Old layer versions stay until no function refers to them.
                .removalPolicy(RemovalPolicy.RETAIN)
                .build());

        Code code = Code.fromAsset(assets.code().toString());
        thumbnailer = function("Thumbnailer", prefix + "-thumbnailer", THUMBNAIL_HANDLER, code, config,
                processing.thumbnailerMemoryMb(), processing.thumbnailerConcurrency(), wiring, "thumbnails");
        metadata = function("Metadata", prefix + "-metadata", METADATA_HANDLER, code, config,
                processing.metadataMemoryMb(), processing.metadataConcurrency(), wiring, "metadata");

        List<String> suffixes = new ArrayList<>();
        IMAGE_SUFFIXES.forEach(s -> {
            suffixes.add(s);
            suffixes.add(s.toUpperCase());
        });
        subscribe(wiring.objectEvents(), thumbnailer, Map.of("s3", FilterOrPolicy.policy(Map.of(
                "object", FilterOrPolicy.policy(Map.of(
                        "key", FilterOrPolicy.filter(SubscriptionFilter.stringFilter(
                                StringConditions.builder().matchSuffixes(suffixes).build()))))))),
                List.of("ObjectCreated:"));
        // The metadata function also answers tagging events (which name a version but not its tags) by reading
        // the version's tags; it reads them for each new version too (tags set at upload or copied by a restore).
        subscribe(wiring.objectEvents(), metadata, Map.of(), List.of("ObjectCreated:", "ObjectTagging:"));
        // Exactly the tag reads: GetObjectTagging with a versionId is s3:GetObjectVersionTagging; an object
        // written before versioning was enabled is read without one (s3:GetObjectTagging).
        metadata.getRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObjectVersionTagging", "s3:GetObjectTagging"))
                .resources(List.of(wiring.source().arnForObjects("*"))).build());
    }

    public Function thumbnailer() {
        return thumbnailer;
    }

    /**
     * Lets {@code filetrail reprocess}, run in the ops task, hand versions to the two functions as SNS would: an
     * asynchronous Invoke of exactly these two (unqualified ARNs, nothing else), and in the ops container's environment
     * their names, the object-events topic the synthetic notifications name, AWS's own Lambda endpoint, and the source
     * bucket as the only bucket to reprocess (the functions may read no other).
     */
    public void reprocessableBy(TaskDefinition ops, IBucket source, ITopic objectEvents) {
        ops.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("lambda:InvokeFunction"))
                .resources(List.of(thumbnailer.getFunctionArn(), metadata.getFunctionArn())).build());
        ContainerDefinition container = ops.getDefaultContainer();
        container.addEnvironment("LAMBDA_ENDPOINT", "");
        container.addEnvironment("REPROCESS_THUMBNAIL_FUNCTION", thumbnailer.getFunctionName());
        container.addEnvironment("REPROCESS_METADATA_FUNCTION", metadata.getFunctionName());
        container.addEnvironment("REPROCESS_BUCKETS", source.getBucketName());
        container.addEnvironment("SNS_OBJECT_EVENTS_TOPIC_ARN", objectEvents.getTopicArn());
    }

    public Function metadata() {
        return metadata;
    }

    public Queue failures() {
        return failures;
    }

    public Optional<LayerVersion> layer() {
        return layer;
    }

    /**
     * Filters on the S3 notification JSON itself (SNS payload filtering): only the named events (created objects;
     * for the metadata function tagging too) reach the processors, so deletions and lifecycle events cost no
     * invocation.
     */
    private void subscribe(ITopic topic, Function function, Map<String, FilterOrPolicy> extra,
                           List<String> eventPrefixes) {
        Map<String, FilterOrPolicy> records = new HashMap<>(extra);
        records.put("eventName", FilterOrPolicy.filter(SubscriptionFilter.stringFilter(
                StringConditions.builder().matchPrefixes(eventPrefixes).build())));
        topic.addSubscription(LambdaSubscription.Builder.create(function)
                .filterPolicyWithMessageBody(Map.of("Records", FilterOrPolicy.policy(records)))
                // When SNS cannot invoke the function at all, the message is kept here rather than dropped.
                .deadLetterQueue(failures)
                .build());
    }

    private Function function(String id, String name, String handler, Code code, StackConfig config,
                              int memoryMb, Optional<Integer> concurrency, Wiring wiring, String derivativesKind) {
        StackConfig.Processing processing = config.processing();
        LogGroup logs = LogGroups.create(this, id + "Logs", config, RemovalPolicy.DESTROY);
        // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy, whose log actions
        // apply to every log group in the account.
        Role role = Role.Builder.create(this, id + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Filetrail " + id + " Lambda")
                .build();
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn() + ":*")).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
                .resources(List.of(wiring.source().arnForObjects("*"))).build());
        // Each processor keeps its own folder: derivatives, and last the result marker a redelivered event
        // finds (read first, written last), so the work is never redone.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject", "s3:PutObject"))
                .resources(List.of(wiring.derivatives().arnForObjects(DERIVATIVES_PREFIX + derivativesKind + "/*")))
                .build());
        // A missing marker, thumbnail or source version must read as 404 (not done yet, gone), which S3
        // answers only to a caller that may list the bucket; otherwise it is 403 and the event fails for good.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucket"))
                .resources(List.of(wiring.source().getBucketArn(), wiring.derivatives().getBucketArn())).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sns:Publish"))
                .resources(List.of(wiring.results().getTopicArn())).build());
        wiring.key().ifPresent(k -> role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                // Decrypt to read objects; GenerateDataKey to write thumbnails and publish to the encrypted topic.
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                .resources(List.of(k.getKeyArn())).build()));

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SOURCE_BUCKET", wiring.source().getBucketName());
        environment.put("DERIVATIVES_BUCKET", wiring.derivatives().getBucketName());
        environment.put("DERIVATIVES_PREFIX", DERIVATIVES_PREFIX);
        environment.put("RESULTS_TOPIC_ARN", wiring.results().getTopicArn());
        // Short-lived handlers start faster with C1 only; the work is mostly in native-like codec loops anyway.
        environment.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");

        Function.Builder function = Function.Builder.create(this, id)
                .functionName(name)
                .runtime(Runtime.JAVA_21)
                // Graviton: about 20% cheaper per GB-second than x86 for the same Java code.
                .architecture(Architecture.ARM_64)
                .handler(handler)
                .code(code)
                .layers(layer.map(List::of).orElse(List.of()))
                .memorySize(memoryMb)
                .timeout(Duration.seconds(processing.timeoutSeconds()));
        // When set, caps what a burst of uploads can cost and leaves account concurrency for everything else.
        concurrency.ifPresent(function::reservedConcurrentExecutions);
        return function
                .role(role)
                .logGroup(logs)
                .environment(environment)
                .retryAttempts(processing.retryAttempts())
                .maxEventAge(Duration.hours(6))
                .onFailure(new SqsDestination(failures))
                .build();
    }
}
