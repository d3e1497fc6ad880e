package dev.filetrail.api;

import dev.filetrail.api.audit.AuditRoutes;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileRoutes;
import dev.filetrail.api.http.ApiServer;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.http.OpenApiDocument;
import dev.filetrail.api.http.Readiness;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.shares.ShareCommands;
import dev.filetrail.api.shares.ShareLinkStore;
import dev.filetrail.api.shares.ShareLinkWaits;
import dev.filetrail.api.shares.SharePage;
import dev.filetrail.api.shares.ShareRoutes;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.RequiredTopics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API service: PostgreSQL read model (Flyway), the projector that fills it from Kafka, and the
 * Javalin HTTP API. {@link #start()} brings all three up; {@link #close()} stops them in reverse.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryApi.class);
    /** The topics the API reads (the projector's) and writes (share commands); the operator creates them. */
    public static final List<String> TOPICS = List.of(Topics.FILE_VERSIONS, Topics.FILES, Topics.SHARE_LINKS,
            Topics.AUDIT, Topics.SHARE_COMMANDS);

    private ApiConfig config;
    private final CloudFrontSigner signer;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> resources = new ArrayList<>();
    private ReadModelDatabase database;
    private Projector projector;
    private ApiServer server;
    private ApiKeys apiKeys;

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
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            database = ReadModelDatabase.forApi(config, "query-api");
            resources.add(database);
            database.migrate();
            Admin admin = config.kafka().newAdmin();
            resources.add(admin);
            RequiredTopics.verify(admin, TOPICS);
            DataSource dataSource = database.dataSource();
            apiKeys = new ApiKeys(dataSource);
            ShareCommands commands = new ShareCommands(config.kafka());
            resources.add(commands);
            ShareLinkStore links = new ShareLinkStore(dataSource);
            ShareLinkWaits waits = new ShareLinkWaits(links);
            projector = Projector.forApi(config, dataSource, registry, waits);
            resources.add(projector);
            projector.start();
            FileQueries files = new FileQueries(dataSource);
            Authorizer authorizer = new Authorizer(apiKeys);
            server = new ApiServer(config.port(), new ApiServer.Handlers(
                    new FileRoutes(files, signer, commands, authorizer, config),
                    new ShareRoutes(links, waits, commands, files, authorizer, config),
                    new SharePage(links, files, signer, commands, apiKeys, config, registry),
                    new AuditRoutes(dataSource, authorizer),
                    authorizer,
                    new Readiness(dataSource, admin, projector, config.readyMaxLag(), signer),
                    new OpenApiDocument(config.publicBaseUrl()),
                    registry,
                    new ClientAddress(config.trustedProxies())));
            resources.add(server);
            server.start();
            log.info("query api started port={} schema={} cloudFront={} keyPairId={} urlSigning={}", server.port(),
                    config.databaseSchema(), config.cloudFrontDomain(), config.cloudFrontKeyPairId(),
                    signer.available() ? "available" : "unavailable");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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

    public ApiConfig config() {
        return config;
    }

    /** The key store, so the local stack can create its admin key. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    /** The signing key pair; an error naming the missing key when URL signing is unavailable. */
    public CloudFrontKeyPair cloudFrontKeyPair() {
        return signer.keyPair();
    }

    /** The public half of the signing key: what the local {@link dev.filetrail.api.edge.CloudFrontEdge} trusts. */
    public PublicKey cloudFrontPublicKey() {
        return signer.keyPair().publicKey();
    }

    public Projector projector() {
        return projector;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("close failed resource={} reason={}", resources.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        resources.clear();
    }
}
