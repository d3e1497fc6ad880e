package dev.filetrail.api;

import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.audit.AuditRoutes;
import dev.filetrail.api.changes.ChangeFeed;
import dev.filetrail.api.changes.FeedTopic;
import dev.filetrail.api.files.FileAnswerCache;
import dev.filetrail.api.files.FileRoutes;
import dev.filetrail.api.http.ApiServer;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.http.OpenApiDocument;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.KeyCache;
import dev.filetrail.api.keys.KeyChangeListener;
import dev.filetrail.api.projection.ProjectionNotices;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.restore.FileActions;
import dev.filetrail.api.restore.IdempotentRequests;
import dev.filetrail.api.restore.S3VersionActions;
import dev.filetrail.api.rewind.RequestRate;
import dev.filetrail.api.rewind.RewindJobs;
import dev.filetrail.api.rewind.RewindPlanner;
import dev.filetrail.api.rewind.RewindRoutes;
import dev.filetrail.api.rewind.RewindRunner;
import dev.filetrail.api.rewind.RewindStore;
import dev.filetrail.api.schemas.SchemaRoutes;
import dev.filetrail.api.shares.ShareCommands;
import dev.filetrail.api.shares.ShareLinkStore;
import dev.filetrail.api.shares.ShareLinkWaits;
import dev.filetrail.api.shares.SharePage;
import dev.filetrail.api.shares.ShareRoutes;
import dev.filetrail.api.shards.ReadModelShards;
import dev.filetrail.api.shards.ShardFanOut;
import dev.filetrail.api.shards.ShardSettings;
import dev.filetrail.api.shards.ShardedFiles;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.Topics;
import dev.filetrail.events.service.Service;
import dev.filetrail.events.service.ServiceShell;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import software.amazon.awssdk.services.s3.S3Client;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API service: PostgreSQL read model (Flyway), the projector that fills it from Kafka, the Javalin
 * HTTP API on the public port and {@code /health}, {@code /ready}, {@code /metrics} on the admin port.
 * {@link #start()} brings them up; {@link #close()} stops them in reverse.
 */
public final class QueryApi implements Service {
    private static final Logger log = LoggerFactory.getLogger(QueryApi.class);
    /** The topics the API reads (the projector's) and writes (share commands, access events); the operator creates
     * them. */
    public static final List<String> TOPICS = List.of(Topics.FILE_VERSIONS.name(), Topics.FILES.name(),
            Topics.SHARE_LINKS.name(), Topics.AUDIT.name(), Topics.SHARE_COMMANDS.name(), Topics.ACCESS_EVENTS.name());

    private ApiConfig config;
    private final CloudFrontSigner signer;
    private final PrometheusMeterRegistry registry = ServiceShell.registryWithJvmMetrics();
    private final ResourceStack resources = new ResourceStack();
    private ProjectorService core;
    private ApiServer server;
    private ApiKeys apiKeys;
    private KeyChangeListener keyListener;
    private ProjectionNotices notices;
    private ChangeFeed changeFeed;
    private RewindJobs rewinds;

    public QueryApi(ApiConfig config) {
        this(config, null);
    }

    /**
     * @param keyPair the CloudFront key pair to sign with; null loads it from the configured path, or in local
     *                mode without a path generates one (hand {@link #cloudFrontPublicKey()} to the edge); a
     *                missing or unusable key leaves URL signing unavailable (503) rather than failing the start
     */
    public QueryApi(ApiConfig config, CloudFrontKeyPair keyPair) {
        this.config = config;
        this.signer = keyPair != null ? new CloudFrontSigner(config.cloudFrontDomain(), keyPair)
                : CloudFrontSigner.forConfig(config);
    }

    public QueryApi start() {
        if (config.port() == 0) {
            // Port 0 (tests, parallel stacks): fix the port now, so share URLs can name it.
            int port = freePort();
            config = config.with(port, config.databaseUrl(), config.kafka(), config.s3Endpoint(),
                    config.cloudFrontDomain());
        }
        try {
            core = resources.push(new ProjectorService(config, registry, TOPICS)).open();
            ReadModelShards shards = core.shards();
            // State that is not per file lives in shard 0 beside the API keys (the keys schema, migrated there only):
            // the keys, idempotent requests and rewind jobs.
            DataSource control = shards.keys();
            ShardSettings.ShardEndpoint first = shards.endpoint(0);
            KeyCache keyCache = new KeyCache(config.apiKeyCache(), registry);
            keyListener = resources.push(new KeyChangeListener(first.url(), first.user(), first.password(),
                    config.keysSchema(), keyCache)).start();
            apiKeys = new ApiKeys(control, keyCache);
            ShareCommands commands = resources.push(new ShareCommands(config.kafka()));
            AccessEvents access = resources.push(new AccessEvents(config.kafka()));
            // Closed after the server (pushed before it): requests use it until the server has stopped.
            ShardFanOut fanOut = resources.push(ShardFanOut.forShards(shards.count(),
                    config.readModelShards().fanOutThreads(), registry));
            ShareLinkStore links = new ShareLinkStore(shards, fanOut);
            ShareLinkWaits waits = new ShareLinkWaits(links);
            core.startProjector(waits);
            ShardedFiles files = new ShardedFiles(shards, fanOut);
            Authorizer authorizer = new Authorizer(apiKeys);
            List<ProjectionNotices.Endpoint> listenOn = new ArrayList<>();
            List<DataSource> primaries = new ArrayList<>();
            List<DataSource> lagTolerant = new ArrayList<>();
            for (int i = 0; i < shards.count(); i++) {
                ShardSettings.ShardEndpoint shard = shards.endpoint(i);
                listenOn.add(new ProjectionNotices.Endpoint(shard.url(), shard.user(), shard.password()));
                primaries.add(shards.primary(i));
                lagTolerant.add(shards.lagTolerant(i));
            }
            // Each shard's projector notifies on its own shard: the answer cache and the change feed hear them all.
            notices = resources.push(new ProjectionNotices(listenOn, registry));
            FileAnswerCache answers = new FileAnswerCache(config.fileCache(), registry);
            // Before start(): the first "everything changed", sent once LISTEN is in place, is what lets it serve.
            notices.subscribe(answers);
            notices.start();
            changeFeed = resources.push(new ChangeFeed(primaries, fanOut, notices, FeedTopic.describe(core.admin()),
                    config.changeFeed(), registry));
            FileRoutes fileRoutes = new FileRoutes(files, signer, access, config, answers);
            S3Client s3 = resources.push(S3VersionActions.client(config));
            S3VersionActions versionActions = new S3VersionActions(s3, config.restoreMultipartThreshold(),
                    config.restorePartSize());
            FileActions fileActions = new FileActions(versionActions, files, new IdempotentRequests(control),
                    access, config, registry);
            // A rewind acts on its plan: planned over every shard's primary, never a lagging replica.
            rewinds = resources.push(new RewindJobs(new RewindPlanner(files.onPrimaries()), new RewindStore(control),
                    versionActions, access, new RequestRate(config.rewindRequestsPerSecond()), RewindRunner.Hook.NONE,
                    registry));
            server = resources.push(new ApiServer(config.port(), new ApiServer.Handlers(
                    List.of(fileRoutes,
                            fileActions,
                            new RewindRoutes(rewinds, config),
                            new ShareRoutes(links, waits, commands, files, config),
                            new SharePage(links, files, signer, access, apiKeys, config, registry),
                            new AuditRoutes(lagTolerant, fanOut),
                            new SchemaRoutes(config.publicBaseUrl()),
                            changeFeed.routes(authorizer, changeFeedRefusal(config)),
                            fileRoutes.fileItself()),
                    authorizer,
                    core::allRunning,
                    new OpenApiDocument(config.publicBaseUrl()),
                    registry,
                    new ClientAddress(config.trustedProxies()))));
            server.start();
            // Jobs a stopped or killed instance left running go on here (each action is checked against S3 first).
            int resumed = rewinds.resumeInterrupted();
            if (resumed > 0) {
                log.info("rewinds resumed after restart count={}", resumed);
            }
            // Ready only once the public port answers too.
            core.serveAdmin(signer);
            log.info("query api started port={} adminPort={} schema={} shards={} cloudFront={} keyPairId={} "
                    + "urlSigning={}", server.port(), core.adminPort(), config.databaseSchema(), shards.count(),
                    config.cloudFrontDomain(),
                    config.cloudFrontKeyPairId(), signer.available() ? "available" : "unavailable");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Why the change feed must not serve, or null: the public local cursor key outside the local stack. */
    static String changeFeedRefusal(ApiConfig config) {
        if (config.localMode() || !config.changeFeed().usesLocalKey()) {
            return null;
        }
        String reason = "CHANGES_CURSOR_KEYS holds the local stack's public default key, with which anyone could "
                + "forge cursors; set a secret key (deploy/aws injects one from Secrets Manager) and restart the API";
        log.error("change feed unavailable reason=\"{}\"", reason);
        return reason;
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port", e);
        }
    }

    public int port() {
        return server.port();
    }

    /** The admin port ({@code /health}, {@code /ready}, {@code /metrics}), resolved when configured as 0. */
    @Override
    public int adminPort() {
        return core == null ? -1 : core.adminPort();
    }

    public ApiConfig config() {
        return config;
    }

    /** The key store, so the local stack can create its admin key. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    /** Listens for key changes and keeps the API's cache of verified keys true. */
    /** The projection's commit notices this API listens to. */
    public ProjectionNotices notices() {
        return notices;
    }

    public KeyChangeListener keyListener() {
        return keyListener;
    }

    /** The signing key pair; an error naming the missing key when URL signing is unavailable. */
    public CloudFrontKeyPair cloudFrontKeyPair() {
        return signer.keyPair();
    }

    /** The public half of the signing key: what the local {@link dev.filetrail.api.edge.CloudFrontEdge} trusts. */
    public PublicKey cloudFrontPublicKey() {
        return signer.keyPair().publicKey();
    }

    /** The change feed (issue 22): cursors, long-polls and streams over the projection's changes. */
    public ChangeFeed changeFeed() {
        return changeFeed;
    }

    /** The rewind jobs of this instance (issue 18). */
    public RewindJobs rewinds() {
        return rewinds;
    }

    /** Shard 0's projector: the only one unless the read model is sharded. */
    public Projector projector() {
        return core.projector();
    }

    /** Every shard's projector, by shard index. */
    public List<Projector> projectors() {
        return core.projectors();
    }

    /** Shard 0's primary: the read model when it is not sharded, and the API keys, idempotent requests and rewinds. */
    public DataSource dataSource() {
        return core.dataSource();
    }

    /** The read model's shards. */
    public ReadModelShards shards() {
        return core.shards();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        resources.close();
    }
}
