package dev.filetrail.local.stack;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.QueryApi;
import dev.filetrail.api.edge.CloudFrontEdge;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.IngestBridge;
import dev.filetrail.embedded.FreePort;
import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.kafka.EmbeddedKafka;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.sink.JournalSink;
import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.metadata.MetadataHandler;
import dev.filetrail.lambda.thumbnails.ThumbnailHandler;
import dev.filetrail.local.lambda.LambdaApi;
import dev.filetrail.local.lambda.LambdaRuntime;
import dev.filetrail.local.s3notify.BucketNotifications;
import dev.filetrail.local.s3notify.NotifyingBlobStore;
import dev.filetrail.local.s3notify.S3EventJson;
import dev.filetrail.local.sns.SnsEmulator;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole of Filetrail on one machine: the real parts (Kafka, PostgreSQL, S3, SQS) on loopback, the AWS-only
 * parts emulated (S3 notifications, SNS, Lambda invocation, the CloudFront edge), and every service, wired as
 * they are in AWS. Starts fresh every time, as the S3 store is in memory.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    /** Where S3's object events are delivered in {@link #startParts} mode, for the harness to pass on. */
    public static final String RELAY_QUEUE = "filetrail-ingest-relay";
    // A SIGKILLed bridge leaves its received messages invisible for this long; short, so a chaos run settles soon.
    private static final int PARTS_VISIBILITY_TIMEOUT_SECONDS = 10;

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final boolean services;
    private Endpoints endpoints;
    private final Map<KafkaRole, Map<String, String>> environments = new EnumMap<>(KafkaRole.class);
    private EmbeddedKafka kafka;
    private PostgresServer postgres;
    /** The read model's shards' JDBC URLs; shard 0 is the stack's own database. */
    private java.util.List<String> readModelShards = java.util.List.of();
    private LambdaRuntime lambdas;
    private SnsEmulator sns;
    private LambdaApi lambdaApi;
    private String relayQueueUrl;

    private LocalStack(boolean services) {
        this.services = services;
    }

    /** Starts every part in dependency order; on any failure, stops what had started and rethrows. */
    public static LocalStack start(LocalStackConfig config) {
        return start(config, true);
    }

    /**
     * Starts the parts without the services, for a harness that runs each service as a process of its own with
     * {@link #serviceEnvironment(KafkaRole)}: S3's object events go to the queue {@value #RELAY_QUEUE} instead of
     * the ingest queue, and the harness passes them on (and may duplicate, delay or reorder them); the ingest queue's
     * visibility timeout is {@value #PARTS_VISIBILITY_TIMEOUT_SECONDS} s. {@link Endpoints#adminApiKey()} is null.
     */
    public static LocalStack startParts(LocalStackConfig config) {
        return start(config, false);
    }

    private static LocalStack start(LocalStackConfig config, boolean services) {
        LocalStack stack = new LocalStack(services);
        try {
            stack.startAll(config);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T keep(T part) {
        started.push(part);
        return part;
    }

    private void startAll(LocalStackConfig config) {
        Path out = config.outputDir().toAbsolutePath();
        deleteTree(out.resolve("kafka"));
        deleteTree(out.resolve("streams-state"));
        String region = LocalAws.REGION.id();

        kafka = keep(EmbeddedKafka.start(config.kafkaPort(), out.resolve("kafka"), true,
                config.kafkaSecured()));
        // The operator's step, done here as the ops role before any service starts: services only check topics.
        try (Admin admin = kafka.admin()) {
            new TopicSetup(config.topicPartitions(), (short) 1, -1).ensure(admin);
        }
        String databaseUrl = config.externalDatabaseUrl();
        if (databaseUrl == null || databaseUrl.isBlank()) {
            postgres = keep(PostgresServer.start(config.postgresPort()));
            databaseUrl = postgres.createDatabaseNamed("filetrail");
        }
        // Shard 0 is the stack's database (API keys live there); each further shard is a server of its own, as
        // each shard is its own Aurora cluster in AWS.
        java.util.List<String> shardUrls = new java.util.ArrayList<>(java.util.List.of(databaseUrl));
        for (int i = 1; i < config.readModelShards(); i++) {
            PostgresServer shard = keep(PostgresServer.start(0));
            shardUrls.add(shard.createDatabaseNamed("filetrail"));
        }
        readModelShards = java.util.List.copyOf(shardUrls);

        EmbeddedSqs sqsServer = keep(EmbeddedSqs.start(config.sqsPort()));
        SqsClient sqs = keep(sqsServer.client());
        String ingestQueueUrl = sqsServer.createQueueWithDlq(LocalStackConfig.INGEST_QUEUE, 100,
                services ? 120 : PARTS_VISIBILITY_TIMEOUT_SECONDS);
        String ingestDlqUrl = sqs.getQueueUrl(b -> b.queueName(LocalStackConfig.INGEST_QUEUE + "-dlq")).queueUrl();
        String ingestQueueArn = "arn:aws:sqs:" + region + ":" + LocalAws.ACCOUNT_ID + ":" + LocalStackConfig.INGEST_QUEUE;

        lambdas = keep(new LambdaRuntime(region, LocalAws.ACCOUNT_ID, 2));
        sns = keep(new SnsEmulator(FreePort.orFree(config.snsPort()), region, LocalAws.ACCOUNT_ID, sqs, lambdas)).start();
        lambdaApi = keep(new LambdaApi(FreePort.orFree(config.lambdaPort()), lambdas)).start();
        String objectEventsTopic = sns.createTopic(LocalStackConfig.OBJECT_EVENTS_TOPIC);
        String resultsTopic = sns.createTopic(LocalStackConfig.PROCESSING_RESULTS_TOPIC);

        BucketNotifications notifications = new BucketNotifications(sns, new S3EventJson(region, "AWS:" + LocalAws.ACCESS_KEY));
        EmbeddedS3 s3 = keep(EmbeddedS3.start(config.s3Port(), store -> NotifyingBlobStore.wrap(store, notifications)));
        s3.tagging().onChange(notifications::tagged);
        s3.createVersionedBucket(config.sourceBucket());
        try (S3Client client = s3.client()) {
            client.createBucket(b -> b.bucket(config.derivativesBucket()));
        }
        notifications.notify(config.sourceBucket(), objectEventsTopic);
        if (config.journal()) {
            try (S3Client client = s3.client()) {
                client.createBucket(b -> b.bucket(JournalConfig.LOCAL_WAREHOUSE_BUCKET));
            }
            try (Admin admin = kafka.admin()) {
                JournalSink.createTopics(admin, (short) 1);
            }
        }

        // Picked only now, after every part that binds a free port of its own has bound it: a port picked earlier
        // could be taken by one of them before the service that was to listen on it starts.
        int apiPort = FreePort.orFree(config.apiPort());
        int apiAdminPort = FreePort.orFree(config.apiAdminPort());
        int edgePort = FreePort.orFree(config.edgePort());
        int bridgeMetricsPort = FreePort.pick();
        int streamsMetricsPort = FreePort.pick();
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", region);
        env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("SQS_ENDPOINT", sqsServer.endpoint().toString());
        env.put("SNS_ENDPOINT", sns.endpoint());
        env.put("LAMBDA_ENDPOINT", lambdaApi.endpoint());
        env.put("SNS_OBJECT_EVENTS_TOPIC_ARN", objectEventsTopic);
        env.put("SQS_QUEUE_URL", ingestQueueUrl);
        env.put("TOPIC_PARTITIONS", String.valueOf(config.topicPartitions()));
        env.put("TOPIC_REPLICATION_FACTOR", "1");
        env.put("SOURCE_BUCKET", config.sourceBucket());
        env.put("DERIVATIVES_BUCKET", config.derivativesBucket());
        env.put("RESULTS_TOPIC_ARN", resultsTopic);
        env.put("BRIDGE_METRICS_PORT", String.valueOf(bridgeMetricsPort));
        env.put("STREAMS_METRICS_PORT", String.valueOf(streamsMetricsPort));
        env.put("STREAMS_STATE_DIR", out.resolve("streams-state").toString());
        // Exactly-once outputs become visible when their transaction commits: a short interval keeps a new version
        // visible within a few hundred ms here, where a batch-throughput deployment would choose longer.
        env.put("STREAMS_COMMIT_INTERVAL_MS", "100");
        // Closing the bridge lets each poller finish its long poll (nothing received is dropped): SQS's 20 s made
        // every stop of a local stack (Ctrl-C, each test's stack) wait up to 20 s on an idle queue. A message still
        // ends a long poll at once, so 5 s changes nothing else here.
        env.put("BRIDGE_WAIT_TIME_SECONDS", "5");
        env.put("API_PORT", String.valueOf(apiPort));
        env.put("API_ADMIN_PORT", String.valueOf(apiAdminPort));
        env.put("PUBLIC_BASE_URL", "http://127.0.0.1:" + apiPort);
        env.put("CLOUDFRONT_URL", "http://127.0.0.1:" + edgePort);
        env.put("DATABASE_URL", databaseUrl);
        if (readModelShards.size() > 1) {
            env.put("READ_MODEL_SHARDS", String.join(",", readModelShards));
        }
        env.put("DATABASE_USER", config.externalDatabaseUser());
        env.put("DATABASE_PASSWORD", config.externalDatabasePassword());
        env.put("JOURNAL_COMMIT_INTERVAL_MS", String.valueOf(config.journalCommitIntervalMs()));
        if (!services) {
            env.put("BRIDGE_VISIBILITY_TIMEOUT_SECONDS", String.valueOf(PARTS_VISIBILITY_TIMEOUT_SECONDS));
        }
        for (KafkaRole role : KafkaRole.values()) {
            Map<String, String> roleEnv = new HashMap<>(env);
            roleEnv.putAll(kafka.settings(role).environment());
            environments.put(role, Map.copyOf(roleEnv));
        }

        // The Lambdas and the bridge both hang off SNS, as in AWS: S3 → topic → {queue, thumbnailer, metadata}.
        LambdaConfig lambdaConfig = LambdaConfig.fromEnvironment(env);
        if (services) {
            sns.subscribe(objectEventsTopic, "sqs", ingestQueueArn, false);
        } else {
            relayQueueUrl = sqs.createQueue(b -> b.queueName(RELAY_QUEUE)).queueUrl();
            sns.subscribe(objectEventsTopic, "sqs", "arn:aws:sqs:" + region + ":" + LocalAws.ACCOUNT_ID + ":" + RELAY_QUEUE,
                    false);
        }
        sns.subscribe(objectEventsTopic, "lambda", lambdas.register("filetrail-thumbnailer", new ThumbnailHandler(lambdaConfig)), false);
        sns.subscribe(objectEventsTopic, "lambda", lambdas.register("filetrail-metadata", new MetadataHandler(lambdaConfig)), false);
        sns.subscribe(resultsTopic, "sqs", ingestQueueArn, false);

        String adminKey = null;
        if (services) {
            // Each service logs in to Kafka as its own role, as each ECS task does with its task role.
            MetadataStreams streams = keep(new MetadataStreams(MetadataStreamsConfig.fromEnvironment(
                    serviceEnvironment(KafkaRole.STREAMS))));
            streams.start();
            IngestBridge bridge = keep(new IngestBridge(BridgeConfig.from(serviceEnvironment(KafkaRole.BRIDGE)::get)));
            bridge.start();
            QueryApi api = keep(new QueryApi(ApiConfig.fromMap(serviceEnvironment(KafkaRole.API))));
            api.start();
            ApiConfig apiConfig = api.config();
            keep(CloudFrontEdge.forApi(apiConfig, api.cloudFrontPublicKey(), edgePort)).start();
            adminKey = api.apiKeys().create("local-admin", EnumSet.allOf(Scope.class)).plaintext();
        }
        Endpoints.Journal journal = null;
        if (config.journal() && services) {
            // The Connect worker logs in as the journal role, as the MSK Connect connector does with its own role.
            JournalConfig journalConfig = JournalConfig.fromEnvironment(serviceEnvironment(KafkaRole.JOURNAL));
            keep(JournalSink.start(journalConfig, kafka.settings(KafkaRole.JOURNAL), 1));
            journal = new Endpoints.Journal(journalConfig.catalogName(), journalConfig.catalogUrl(),
                    journalConfig.catalogUser(), journalConfig.catalogPassword(), journalConfig.warehouse(), journalConfig.namespace(), java.util.stream.Stream.concat(
                    dev.filetrail.journal.sink.SinkConnector.TABLES.stream(),
                    java.util.stream.Stream.of(dev.filetrail.journal.table.InventoryTable.VIEW)).toList(),
                    journalConfig.commitIntervalMs());
        }

        endpoints = new Endpoints(
                "http://127.0.0.1:" + apiPort,
                "http://127.0.0.1:" + apiAdminPort,
                "http://127.0.0.1:" + edgePort,
                s3.endpoint().toString(),
                sqsServer.endpoint().toString(),
                sns.endpoint(),
                lambdaApi.endpoint(),
                kafka.bootstrapServers(),
                databaseUrl,
                readModelShards,
                "http://127.0.0.1:" + bridgeMetricsPort + "/metrics",
                "http://127.0.0.1:" + streamsMetricsPort + "/metrics",
                region,
                LocalAws.ACCESS_KEY,
                LocalAws.SECRET_KEY,
                config.sourceBucket(),
                config.derivativesBucket(),
                objectEventsTopic,
                resultsTopic,
                ingestQueueUrl,
                ingestDlqUrl,
                adminKey,
                kafkaSecurity(kafka),
                journal);
        Path file = endpoints.write(out);
        log.info("local stack started endpoints={}", file);
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /**
     * The environment the services were configured with, logged in as the ops role: what an operator's command
     * run against this stack needs.
     */
    public Map<String, String> serviceEnvironment() {
        return serviceEnvironment(KafkaRole.OPS);
    }

    /** The environment of a process that logs in to Kafka as {@code role}. */
    public Map<String, String> serviceEnvironment(KafkaRole role) {
        return environments.get(role);
    }

    private static Endpoints.KafkaSecurity kafkaSecurity(EmbeddedKafka kafka) {
        if (!kafka.secured()) {
            return Endpoints.KafkaSecurity.open();
        }
        Map<String, Endpoints.User> users = new LinkedHashMap<>();
        for (KafkaRole role : KafkaRole.values()) {
            KafkaClientSettings settings = kafka.settings(role);
            users.put(role.wireName(), new Endpoints.User(settings.username(), settings.password()));
        }
        KafkaClientSettings any = kafka.settings(KafkaRole.OPS);
        return new Endpoints.KafkaSecurity(any.protocol().name, any.mechanism().kafkaName(),
                kafka.alsoAcceptedMechanisms(), users);
    }

    /** The Kafka broker (to stop and restart it). */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The PostgreSQL server (to stop and restart it), or null with an external database. */
    public PostgresServer postgres() {
        return postgres;
    }

    /** The Lambda emulation (its pending work). */
    public LambdaRuntime lambdas() {
        return lambdas;
    }

    /** The Lambda API (Invoke), with what each function was invoked with through it. */
    public LambdaApi lambdaApi() {
        return lambdaApi;
    }

    /** The SNS emulation (its pending deliveries). */
    public SnsEmulator sns() {
        return sns;
    }

    /** The queue S3's object events go to in {@link #startParts} mode; null otherwise. */
    public String relayQueueUrl() {
        return relayQueueUrl;
    }

    /** Stops every part, newest first, so services stop before the brokers they use. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("part did not stop cleanly part={}", part.getClass().getSimpleName(), e);
            }
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("could not clear " + root, e);
        }
    }
}
