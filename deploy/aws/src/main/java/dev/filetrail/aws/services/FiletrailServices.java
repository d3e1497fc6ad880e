package dev.filetrail.aws.services;

import dev.filetrail.aws.LogGroups;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.data.ReadModel;
import dev.filetrail.aws.data.KafkaAccess;
import dev.filetrail.aws.data.KafkaCluster;
import dev.filetrail.events.kafka.KafkaRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.applicationautoscaling.AdjustmentType;
import software.amazon.awscdk.services.applicationautoscaling.BasicStepScalingPolicyProps;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.applicationautoscaling.ScalingInterval;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ecr.IRepository;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.RepositoryAttributes;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.CpuUtilizationScalingProps;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.Ec2Service;
import software.amazon.awscdk.services.ecs.FargatePlatformVersion;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.LoadBalancerTargetOptions;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.RequestCountScalingProps;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.ecs.ScalableTaskCount;
import software.amazon.awscdk.services.ecs.Secret;
import software.amazon.awscdk.services.elasticloadbalancingv2.AddApplicationTargetsProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationProtocol;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationTargetGroup;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseApplicationListenerProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerAction;
import software.amazon.awscdk.services.elasticloadbalancingv2.ListenerCertificate;
import software.amazon.awscdk.services.elasticloadbalancingv2.RedirectOptions;
import software.amazon.awscdk.services.elasticloadbalancingv2.SslPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * The ECS services run from the one {@code filetrail} launcher image: the ingest bridge on Fargate (scaled on queue
 * depth), metadata-streams on EC2 hosts that keep its state across deployments (fixed task slots, StreamsSlots), the
 * query-api on Fargate behind an ALB (scaled on CPU and requests), and an ops task definition for one-off commands.
 */
public final class FiletrailServices extends Construct {
    public static final int API_PORT = 8080;
    /** The API's /health, /ready and /metrics (API_ADMIN_PORT): the load balancer checks it, no listener exposes it. */
    public static final int API_ADMIN_PORT = 9090;
    /** Where the bridge and the streams serve /health, /ready and /metrics, inside their tasks only. */
    public static final int BRIDGE_METRICS_PORT = 9401;
    public static final int STREAMS_METRICS_PORT = 9402;
    /** The readiness path the bridge's and the streams' container health checks probe. */
    public static final String READY_PATH = "/ready";
    private static final Pattern ECR_URI =
            Pattern.compile("^(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)(?::([^@]+))?(?:@(.+))?$");

    /** What the services connect to. */
    public record Wiring(IVpc vpc, KafkaCluster kafka, ReadModel readModel, IQueue ingestQueue,
                         IQueue ingestDeadLetters, ITopic objectEvents, ITopic processingResults, IBucket source, IBucket derivatives,
                         String cdnDomain, String cdnKeyPairId, ISecret cdnPrivateKey, Optional<IKey> key) {
    }

    private final Cluster cluster;
    private final FargateService bridge;
    private final Ec2Service streams;
    private final StreamsSlots streamsSlots;
    private final FargateService api;
    private final FargateTaskDefinition ops;
    private final ApplicationLoadBalancer loadBalancer;
    private final ApplicationTargetGroup apiTargets;
    private final Repository repository;
    private final String apiUrl;
    private final SecurityGroup opsSecurity;
    private final Map<String, LogGroup> logs = new LinkedHashMap<>();

    public FiletrailServices(Construct scope, String id, StackConfig config, Wiring wiring) {
        super(scope, id);
        StackConfig.Services services = config.services();
        String prefix = config.stackName().toLowerCase();

        cluster = Cluster.Builder.create(this, "Cluster")
                .clusterName(prefix)
                .vpc(wiring.vpc())
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();

        Repository created = null;
        ContainerImage image;
        if (services.imageUri().isPresent()) {
            image = imageFrom(services.imageUri().get());
        } else {
            created = Repository.Builder.create(this, "Repository")
                    .repositoryName(prefix)
                    // A tag names one build forever, so a task restart never picks up different code.
                    .imageTagMutability(TagMutability.IMMUTABLE)
                    .imageScanOnPush(true)
                    .lifecycleRules(List.of(LifecycleRule.builder()
                            .description("keep the last 50 images").maxImageCount(50).build()))
                    .removalPolicy(RemovalPolicy.RETAIN)
                    .build();
            image = ContainerImage.fromEcrRepository(created, services.imageTag());
        }
        repository = created;

        Map<String, String> common = new LinkedHashMap<>();
        common.put("AWS_REGION", Aws.REGION);
        // Bootstrap servers, the MSK IAM login, and the topics' partitions and replication (KafkaCluster).
        common.putAll(wiring.kafka().clientEnvironment());
        // The services default to the local stack's endpoints and keys; empty values select AWS's own endpoints
        // and the task role's credentials (the SDK default chain).
        common.put("S3_ENDPOINT", "");
        common.put("SQS_ENDPOINT", "");
        common.put("SNS_ENDPOINT", "");
        common.put("AWS_ACCESS_KEY_ID", "");
        common.put("AWS_SECRET_ACCESS_KEY", "");
        common.put("SOURCE_BUCKET", wiring.source().getBucketName());
        common.put("DERIVATIVES_BUCKET", wiring.derivatives().getBucketName());
        // Retention of filetrail.audit.v1, applied by `filetrail topics create` (-1 keeps it forever).
        common.put("AUDIT_RETENTION_MS", Long.toString(config.kafka().auditRetentionMs()));

        // --- ingest bridge: SQS -> Kafka
        Map<String, String> bridgeEnv = new LinkedHashMap<>(common);
        bridgeEnv.put("SQS_QUEUE_URL", wiring.ingestQueue().getQueueUrl());
        bridgeEnv.put("BRIDGE_VISIBILITY_TIMEOUT_SECONDS", Integer.toString(config.ingest().visibilityTimeoutSeconds()));
        bridgeEnv.put("SNS_OBJECT_EVENTS_TOPIC_ARN", wiring.objectEvents().getTopicArn());
        bridgeEnv.put("SNS_PROCESSING_RESULTS_TOPIC_ARN", wiring.processingResults().getTopicArn());
        bridgeEnv.put("BRIDGE_METRICS_PORT", Integer.toString(BRIDGE_METRICS_PORT));
        FargateTaskDefinition bridgeTask = task("Bridge", "bridge", services.bridge(), image, bridgeEnv, Map.of(),
                config, List.of(), Optional.of(readinessCheck(BRIDGE_METRICS_PORT, Duration.seconds(60), 3)));
        bridgeTask.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes"))
                .resources(List.of(wiring.ingestQueue().getQueueArn())).build());
        wiring.key().ifPresent(k -> bridgeTask.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("kms:Decrypt")).resources(List.of(k.getKeyArn())).build()));
        kafka(wiring, bridgeTask, KafkaRole.BRIDGE);
        bridge = service("Bridge", prefix + "-bridge", bridgeTask, services.bridge(), services.paused(), wiring);
        // Queue depth, not CPU: the bridge waits on SQS and Kafka, so a backlog is the signal that it is short.
        scaling(bridge, services.bridge(), services.paused()).ifPresent(bridgeScaling -> bridgeScaling.scaleOnMetric("QueueDepth", BasicStepScalingPolicyProps.builder()
                .metric(wiring.ingestQueue().metricApproximateNumberOfMessagesVisible())
                .scalingSteps(List.of(
                        ScalingInterval.builder().upper(0).change(-1).build(),
                        ScalingInterval.builder().lower(1_000).change(1).build(),
                        ScalingInterval.builder().lower(10_000).change(3).build()))
                .adjustmentType(AdjustmentType.CHANGE_IN_CAPACITY)
                .cooldown(Duration.seconds(120))
                .build()));

        // --- metadata-streams: Kafka Streams, one task slot per host so that RocksDB outlives the task (StreamsSlots)
        Map<String, String> streamsEnv = new LinkedHashMap<>(common);
        streamsEnv.put("STREAMS_APPLICATION_ID", KafkaAccess.STREAMS_APPLICATION_ID);
        streamsEnv.put("STREAMS_METRICS_PORT", Integer.toString(STREAMS_METRICS_PORT));
        // A slot that lost its host restores its standbys from the changelogs: ten misses in a row, not three.
        streamsSlots = new StreamsSlots(this, config, wiring, cluster, image, streamsEnv,
                logs.computeIfAbsent("streams", c -> LogGroups.create(this, "StreamsLogs", config, RemovalPolicy.DESTROY)),
                readinessCheck(STREAMS_METRICS_PORT, Duration.seconds(300), 10));
        streams = streamsSlots.services().get(0);
        kafka(wiring, streamsSlots.taskRole(), KafkaRole.STREAMS);

        // --- query-api behind an ALB
        Map<String, String> apiEnv = new LinkedHashMap<>(common);
        apiEnv.put("API_PORT", Integer.toString(API_PORT));
        apiEnv.put("API_ADMIN_PORT", Integer.toString(API_ADMIN_PORT));
        // X-Forwarded-For is believed only from the load balancer, which lives in the public subnets.
        apiEnv.put("TRUSTED_PROXIES", String.join(",", wiring.vpc().getPublicSubnets().stream()
                .map(subnet -> subnet.getIpv4CidrBlock()).toList()));
        apiEnv.put("PROJECTOR_GROUP_ID", KafkaAccess.API_CONSUMER_GROUP);
        apiEnv.put("FILETRAIL_LOCAL_MODE", "false");
        // The read model's shards (writers), their readers, and shard 0 as DATABASE_URL (ReadModel).
        apiEnv.putAll(wiring.readModel().environment());
        apiEnv.put("CLOUDFRONT_URL", Fn.join("", List.of("https://", wiring.cdnDomain())));
        apiEnv.put("CLOUDFRONT_KEY_PAIR_ID", wiring.cdnKeyPairId());
        Map<String, Secret> apiSecrets = new LinkedHashMap<>(wiring.readModel().secrets());
        // Until the operator puts the PEM there, this holds the generated placeholder: the API then starts
        // anyway and answers signed-URL requests with 503 naming the missing key (never a crash loop).
        apiSecrets.put("CLOUDFRONT_PRIVATE_KEY", Secret.fromSecretsManager(wiring.cdnPrivateKey()));
        // The HMAC key of change-feed cursors: generated at the first deploy, kept on updates and stack deletion (a
        // new key turns every client's cursor into a 409 reset). Rotation: put "new,old" and later "new".
        software.amazon.awscdk.services.secretsmanager.Secret cursorKeys =
                software.amazon.awscdk.services.secretsmanager.Secret.Builder.create(this, "ChangeCursorKeys")
                        .secretName(prefix + "/change-cursor-keys")
                        .description("HMAC keys of the change feed's cursors (CHANGES_CURSOR_KEYS): the first signs,"
                                + " all verify")
                        .generateSecretString(software.amazon.awscdk.services.secretsmanager.SecretStringGenerator
                                .builder().passwordLength(48).excludePunctuation(true).build())
                        .removalPolicy(RemovalPolicy.RETAIN).build();
        apiSecrets.put("CHANGES_CURSOR_KEYS", Secret.fromSecretsManager(cursorKeys));
        FargateTaskDefinition apiTask = task("Api", "api", services.api(), image, apiEnv, apiSecrets, config,
                List.of(API_PORT, API_ADMIN_PORT), Optional.empty());
        kafka(wiring, apiTask, KafkaRole.API);
        // Restore (CopyObject / UploadPartCopy of a named version onto its key), undelete (DeleteObject of the
        // current delete marker by its version id) and rewind (issue 18: a delete marker by DeleteObject without a
        // version, which in the versioned source bucket never removes bytes, and a HEAD of a key's current version
        // to find an action done before its record): no listing, no permanent delete without a named version. A
        // restored version keeps its tags: a CopyObject copies them (S3 then asks for the tag read on the source and
        // s3:PutObjectTagging on the copy, and refuses a tagged source without them), a multipart copy reads them
        // (GetObjectTagging of the version) and names them at CreateMultipartUpload. Tags are never deleted.
        apiTask.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObjectVersion", "s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion",
                        "s3:DeleteObject", "s3:GetObjectVersionTagging", "s3:GetObjectTagging", "s3:PutObjectTagging"))
                .resources(List.of(wiring.source().arnForObjects("*"))).build());
        wiring.key().ifPresent(k -> apiTask.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                // S3 decrypts the source version and encrypts the copy with the bucket's key.
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                .resources(List.of(k.getKeyArn())).build()));
        api = service("Api", prefix + "-api", apiTask, services.api(), services.paused(), wiring);
        wiring.readModel().allowFrom(api, "query-api to PostgreSQL");

        SecurityGroup albGroup = SecurityGroup.Builder.create(this, "LoadBalancerSecurity")
                .vpc(wiring.vpc()).description("query-api load balancer").allowAllOutbound(false).build();
        loadBalancer = ApplicationLoadBalancer.Builder.create(this, "LoadBalancer")
                .vpc(wiring.vpc())
                .internetFacing(true)
                .securityGroup(albGroup)
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build())
                .dropInvalidHeaderFields(true)
                .deletionProtection(true)
                .build();
        ApplicationListener listener;
        if (services.apiCertificateArn().isPresent()) {
            albGroup.addIngressRule(Peer.ipv4(services.apiAllowedCidr()), Port.tcp(443), "HTTPS to the API");
            albGroup.addIngressRule(Peer.ipv4(services.apiAllowedCidr()), Port.tcp(80), "redirected to HTTPS");
            listener = loadBalancer.addListener("Https", BaseApplicationListenerProps.builder()
                    .port(443).protocol(ApplicationProtocol.HTTPS)
                    .certificates(List.of(ListenerCertificate.fromCertificateManager(
                            Certificate.fromCertificateArn(this, "ApiCertificate", services.apiCertificateArn().get()))))
                    .sslPolicy(SslPolicy.RECOMMENDED_TLS)
                    .open(false)
                    .build());
            loadBalancer.addListener("Http", BaseApplicationListenerProps.builder()
                    .port(80).protocol(ApplicationProtocol.HTTP).open(false)
                    .defaultAction(ListenerAction.redirect(RedirectOptions.builder().protocol("HTTPS").port("443").permanent(true).build()))
                    .build());
            apiUrl = "https://" + services.apiDomainName().orElse(loadBalancer.getLoadBalancerDnsName());
        } else {
            Annotations.of(this).addWarningV2("filetrail:api-without-tls",
                    "The API listens on plain HTTP: pass -c apiCertificateArn=<ACM certificate> for HTTPS");
            albGroup.addIngressRule(Peer.ipv4(services.apiAllowedCidr()), Port.tcp(80), "HTTP to the API");
            listener = loadBalancer.addListener("Http", BaseApplicationListenerProps.builder()
                    .port(80).protocol(ApplicationProtocol.HTTP).open(false).build());
            apiUrl = "http://" + loadBalancer.getLoadBalancerDnsName();
        }
        // Share links name the address users reach the API at.
        apiTask.getDefaultContainer().addEnvironment("PUBLIC_BASE_URL", apiUrl);
        apiTargets = listener.addTargets("Api", AddApplicationTargetsProps.builder()
                .port(API_PORT)
                .protocol(ApplicationProtocol.HTTP)
                .targets(List.of(api.loadBalancerTarget(LoadBalancerTargetOptions.builder()
                        .containerName("api").containerPort(API_PORT).build())))
                // Readiness on the admin port, which only this check reaches: no listener forwards to it.
                .healthCheck(software.amazon.awscdk.services.elasticloadbalancingv2.HealthCheck.builder()
                        .path(services.apiHealthPath())
                        .port(Integer.toString(API_ADMIN_PORT))
                        .healthyThresholdCount(2).interval(Duration.seconds(15)).build())
                .deregistrationDelay(Duration.seconds(30))
                .build());
        api.getConnections().allowFrom(loadBalancer, Port.tcp(API_ADMIN_PORT), "load balancer health checks");
        scaling(api, services.api(), services.paused()).ifPresent(apiScaling -> {
            apiScaling.scaleOnCpuUtilization("Cpu", CpuUtilizationScalingProps.builder().targetUtilizationPercent(60).build());
            apiScaling.scaleOnRequestCount("Requests", RequestCountScalingProps.builder()
                    .requestsPerTarget(1_000).targetGroup(apiTargets).build());
        });

        // --- ops: one-off commands (topics, backfill, replay, rebuild, reconcile, dlq, keys), run with
        // `aws ecs run-task` and a command override; no service. It reads the variables of every service it
        // operates on.
        Map<String, String> opsEnv = new LinkedHashMap<>(common);
        opsEnv.put("SQS_QUEUE_URL", wiring.ingestQueue().getQueueUrl());
        opsEnv.put("STREAMS_APPLICATION_ID", KafkaAccess.STREAMS_APPLICATION_ID);
        opsEnv.put("PROJECTOR_GROUP_ID", KafkaAccess.API_CONSUMER_GROUP);
        // Rebuild, reconcile and keys work on every shard (and keys on shard 0).
        opsEnv.putAll(wiring.readModel().environment());
        ops = task("Ops", "ops", services.ops(), image, opsEnv, wiring.readModel().secrets(), config, List.of(),
                Optional.empty());
        kafka(wiring, ops, KafkaRole.OPS);
        opsGrants(wiring, ops);
        opsSecurity = SecurityGroup.Builder.create(this, "OpsSecurity")
                .vpc(wiring.vpc()).description("Filetrail one-off ops tasks").allowAllOutbound(true).build();
        wiring.kafka().allowFrom(opsSecurity, "ops tasks to Kafka");
        wiring.readModel().allowFrom(opsSecurity, "ops tasks to PostgreSQL");
    }

    public Cluster cluster() {
        return cluster;
    }

    public FargateService bridge() {
        return bridge;
    }

    /** The first streams slot's service (every slot shares its task role). */
    public Ec2Service streams() {
        return streams;
    }

    /** Every streams slot: its service, host group and zone. */
    public StreamsSlots streamsSlots() {
        return streamsSlots;
    }

    public FargateService api() {
        return api;
    }

    public FargateTaskDefinition ops() {
        return ops;
    }

    public ApplicationLoadBalancer loadBalancer() {
        return loadBalancer;
    }

    public ApplicationTargetGroup apiTargets() {
        return apiTargets;
    }

    /** The log group of a container ({@code bridge}, {@code streams}, {@code api}, {@code ops}). */
    public LogGroup logs(String container) {
        return logs.get(container);
    }

    /** The security group to pass to {@code aws ecs run-task} for the ops task. */
    public SecurityGroup opsSecurity() {
        return opsSecurity;
    }

    public Optional<Repository> repository() {
        return Optional.ofNullable(repository);
    }

    public String apiUrl() {
        return apiUrl;
    }

    private ContainerImage imageFrom(String uri) {
        Matcher ecr = ECR_URI.matcher(uri);
        if (!ecr.matches()) {
            return ContainerImage.fromRegistry(uri);
        }
        // A private ECR image: name the repository so the execution role may pull from it and nothing else.
        IRepository existing = Repository.fromRepositoryAttributes(this, "ImageRepository", RepositoryAttributes.builder()
                .repositoryName(ecr.group(3))
                .repositoryArn("arn:" + Aws.PARTITION + ":ecr:" + ecr.group(2) + ":" + ecr.group(1)
                        + ":repository/" + ecr.group(3))
                .build());
        String tagOrDigest = ecr.group(5) != null ? ecr.group(5) : ecr.group(4) != null ? ecr.group(4) : "latest";
        return ContainerImage.fromEcrRepository(existing, tagOrDigest);
    }

    /**
     * Exactly the AWS calls the ops commands make (deploy/aws's IamParityTest proves them against the calls the
     * tests recorded): backfill and reconcile list the source bucket's versions, dlq redrive sends to the ingest queue.
     */
    private static void opsGrants(Wiring wiring, FargateTaskDefinition ops) {
        ops.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:ListBucketVersions"))
                .resources(List.of(wiring.source().getBucketArn())).build());
        // Redrive sends to the ingest queue; `filetrail dlq --source sqs` finds the SQS DLQ in its redrive policy.
        ops.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sqs:SendMessage", "sqs:GetQueueAttributes"))
                .resources(List.of(wiring.ingestQueue().getQueueArn())).build());
        // ...and walks the SQS DLQ (messages are received, handed back or deleted once redriven).
        ops.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage"))
                .resources(List.of(wiring.ingestDeadLetters().getQueueArn())).build());
        wiring.key().ifPresent(k -> ops.getTaskRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                // SQS asks KMS for a data key when a message enters the encrypted queue.
                .actions(List.of("kms:GenerateDataKey", "kms:Decrypt"))
                .resources(List.of(k.getKeyArn())).build()));
    }

    /**
     * ECS replaces a task whose {@code /ready} keeps failing (the service is stuck). The probe is the launcher's
     * own {@code filetrail probe}, so the check needs nothing in the image beyond the launcher.
     */
    private static HealthCheck readinessCheck(int port, Duration startPeriod, int retries) {
        return HealthCheck.builder()
                .command(List.of("CMD", "filetrail", "probe", "http://127.0.0.1:" + port + READY_PATH))
                // A JVM starts for each probe: leave it time, and probe twice a minute at most.
                .interval(Duration.seconds(30))
                .timeout(Duration.seconds(10))
                .retries(retries)
                .startPeriod(startPeriod)
                .build();
    }

    private FargateTaskDefinition task(String id, String command, StackConfig.ServiceSize size, ContainerImage image,
                                       Map<String, String> environment, Map<String, Secret> secrets,
                                       StackConfig config, List<Integer> ports,
                                       Optional<HealthCheck> health) {
        Role taskRole = Role.Builder.create(this, id + "TaskRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Filetrail " + command + " task")
                .build();
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(this, id + "Task")
                .family(config.stackName().toLowerCase() + "-" + command)
                .cpu(size.cpu())
                .memoryLimitMiB(size.memoryMb())
                .runtimePlatform(RuntimePlatform.builder()
                        .cpuArchitecture("ARM64".equals(config.services().cpuArchitecture())
                                ? CpuArchitecture.ARM64 : CpuArchitecture.X86_64)
                        .operatingSystemFamily(OperatingSystemFamily.LINUX)
                        .build())
                .taskRole(taskRole)
                .build();
        ContainerDefinitionOptions.Builder container = ContainerDefinitionOptions.builder()
                .containerName(command)
                .image(image)
                // The launcher is the entry point whatever the image's own ENTRYPOINT is.
                .entryPoint(List.of("filetrail"))
                .command("ops".equals(command) ? List.of("--help") : List.of(command))
                .environment(environment)
                .secrets(secrets)
                // Time to finish in-flight messages and commit offsets before SIGKILL.
                .stopTimeout(Duration.seconds(60))
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(logs.computeIfAbsent(command,
                                c -> LogGroups.create(this, id + "Logs", config, RemovalPolicy.DESTROY)))
                        .streamPrefix(command).build()));
        health.ifPresent(container::healthCheck);
        if (!ports.isEmpty()) {
            container.portMappings(ports.stream().map(port -> PortMapping.builder().containerPort(port).build()).toList());
        }
        task.addContainer(command, container.build());
        return task;
    }

    /** The task role's MSK IAM policy: the role table's permissions of {@code role} (KafkaAccess). */
    private static void kafka(Wiring wiring, FargateTaskDefinition task, KafkaRole role) {
        kafka(wiring, task.getTaskRole(), role);
    }

    private static void kafka(Wiring wiring, software.amazon.awscdk.services.iam.IRole taskRole, KafkaRole role) {
        wiring.kafka().clusterArn().ifPresent(arn ->
                KafkaAccess.statements(role, arn).forEach(taskRole::addToPrincipalPolicy));
    }

    private FargateService service(String id, String name, FargateTaskDefinition task, StackConfig.ServiceSize size,
                                   boolean paused, Wiring wiring) {
        SecurityGroup group = SecurityGroup.Builder.create(this, id + "Security")
                .vpc(wiring.vpc()).description("Filetrail " + name).allowAllOutbound(true).build();
        FargateService service = FargateService.Builder.create(this, id)
                .serviceName(name)
                .cluster(cluster)
                .taskDefinition(task)
                // Paused: the first deploy, before the image is in the repository this stack creates.
                .desiredCount(paused ? 0 : size.minTasks())
                .platformVersion(FargatePlatformVersion.LATEST)
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build())
                .securityGroups(List.of(group))
                .assignPublicIp(false)
                .minHealthyPercent(100)
                .maxHealthyPercent(200)
                .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                .enableExecuteCommand(false)
                .build();
        wiring.kafka().allowFrom(service, name + " to Kafka");
        return service;
    }

    /** No scaling while paused, or a queue backlog would start tasks whose image does not exist yet. */
    private static Optional<ScalableTaskCount> scaling(FargateService service, StackConfig.ServiceSize size,
                                                       boolean paused) {
        if (paused) {
            return Optional.empty();
        }
        return Optional.of(service.autoScaleTaskCount(EnableScalingProps.builder()
                .minCapacity(size.minTasks()).maxCapacity(size.maxTasks()).build()));
    }
}
