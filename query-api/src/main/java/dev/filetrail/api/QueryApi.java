package dev.filetrail.api;

import dev.filetrail.api.admin.AdminServer;
import dev.filetrail.api.audit.AuditRoutes;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileRoutes;
import dev.filetrail.api.http.ApiServer;
import dev.filetrail.api.http.Authorizer;
import dev.filetrail.api.http.OpenApiDocument;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.projection.Projector;
import dev.filetrail.api.shares.ShareCommands;
import dev.filetrail.api.shares.ShareLinkStore;
import dev.filetrail.api.shares.ShareLinkWaits;
import dev.filetrail.api.shares.SharePage;
import dev.filetrail.api.shares.ShareRoutes;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import dev.filetrail.api.urls.CloudFrontSigner;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.PublicKey;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API service: PostgreSQL read model (Flyway), the projector that fills it from Kafka, the Javalin
 * HTTP API on the public port and {@code /health}, {@code /ready}, {@code /metrics} on the admin port.
 * {@link #start()} brings them up; {@link #close()} stops them in reverse.
 */
public final class QueryApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueryApi.class);

    private ApiConfig config;
    private final CloudFrontKeyPair keyPair;
    private final PrometheusMeterRegistry registry = AdminServer.registryWithJvmMetrics();
    private final ResourceStack resources = new ResourceStack();
    private ProjectorService core;
    private ApiServer server;
    private ApiKeys apiKeys;

    public QueryApi(ApiConfig config) {
        this(config, null);
    }

    /**
     * @param keyPair the CloudFront key pair to sign with; null loads it from the configured path, or in local
     *                mode without a path generates one (hand {@link #cloudFrontPublicKey()} to the edge)
     */
    public QueryApi(ApiConfig config, CloudFrontKeyPair keyPair) {
        this.config = config;
        if (keyPair != null) {
            this.keyPair = keyPair;
        } else if (config.cloudFrontPrivateKeyPath() != null) {
            this.keyPair = CloudFrontKeyPair.load(config.cloudFrontKeyPairId(), config.cloudFrontPrivateKeyPath());
        } else {
            this.keyPair = CloudFrontKeyPair.generate(config.cloudFrontKeyPairId());
        }
    }

    public QueryApi start() {
        if (config.port() == 0) {
            // Port 0 (tests, parallel stacks): fix the port now, so share URLs can name it.
            int port = freePort();
            config = config.with(port, config.databaseUrl(), config.kafkaBootstrapServers(), config.s3Endpoint(),
                    config.cloudFrontDomain());
        }
        try {
            core = resources.push(new ProjectorService(config, registry)).open();
            DataSource dataSource = core.dataSource();
            apiKeys = new ApiKeys(dataSource);
            ShareCommands commands = resources.push(new ShareCommands(config.kafkaBootstrapServers()));
            ShareLinkStore links = new ShareLinkStore(dataSource);
            ShareLinkWaits waits = new ShareLinkWaits(links);
            core.startProjector(waits);
            Projector projector = core.projector();
            FileQueries files = new FileQueries(dataSource);
            CloudFrontSigner signer = new CloudFrontSigner(config.cloudFrontDomain(), keyPair);
            Authorizer authorizer = new Authorizer(apiKeys);
            server = resources.push(new ApiServer(config.port(), new ApiServer.Handlers(
                    new FileRoutes(files, signer, commands, authorizer, config),
                    new ShareRoutes(links, waits, commands, files, authorizer, config),
                    new SharePage(links, files, signer, commands, config, registry),
                    new AuditRoutes(dataSource, authorizer),
                    authorizer,
                    projector::isRunning,
                    new OpenApiDocument(config.publicBaseUrl()),
                    registry)));
            server.start();
            // Ready only once the public port answers too.
            core.serveAdmin();
            log.info("query api started port={} adminPort={} schema={} cloudFront={} keyPairId={}", server.port(),
                    core.adminPort(), config.databaseSchema(), config.cloudFrontDomain(), keyPair.keyPairId());
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

    /** The admin port ({@code /health}, {@code /ready}, {@code /metrics}), resolved when configured as 0. */
    public int adminPort() {
        return core.adminPort();
    }

    public ApiConfig config() {
        return config;
    }

    /** The key store, so the local stack can create its admin key. */
    public ApiKeys apiKeys() {
        return apiKeys;
    }

    public CloudFrontKeyPair cloudFrontKeyPair() {
        return keyPair;
    }

    /** The public half of the signing key: what the local {@link dev.filetrail.api.edge.CloudFrontEdge} trusts. */
    public PublicKey cloudFrontPublicKey() {
        return keyPair.publicKey();
    }

    public Projector projector() {
        return core.projector();
    }

    public DataSource dataSource() {
        return core.dataSource();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        resources.close();
    }
}
