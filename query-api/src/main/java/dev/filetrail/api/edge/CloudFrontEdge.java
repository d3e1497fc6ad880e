package dev.filetrail.api.edge;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.urls.CloudFrontSigner;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The local stack's CloudFront: verifies canned-policy signed URLs exactly as CloudFront does and serves the
 * bytes of the signed version from S3 (a single {@code Range} too). {@code /_derivatives/…} is served from the
 * derivatives bucket, every other path from the source bucket, as the two behaviours of the AWS distribution do.
 * It runs on Jetty's non-blocking connector, so a connection that stalls holds no thread while it waits, and
 * {@link Timeouts} close what stalls: see there.
 */
public final class CloudFrontEdge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CloudFrontEdge.class);
    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d+-\\d*|-\\d+)");

    /**
     * How long the edge waits on a client.
     *
     * @param read a request head must arrive within about this long of its first byte (between one and two of
     *             these), and during an exchange no read or write may stall longer: a client trickling a request
     *             or not reading its response is cut off
     * @param idle a connection with no bytes either way for this long is closed: one that never sends a request,
     *             or an idle keep-alive
     */
    public record Timeouts(Duration read, Duration idle) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

        public Timeouts {
            if (read.isNegative() || read.isZero() || idle.isNegative() || idle.isZero()) {
                throw new IllegalArgumentException("edge timeouts must be positive: read=" + read + " idle=" + idle);
            }
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final HeadReadTimeout headTimeout;
    private final CannedPolicyVerifier verifier;
    private final S3Client s3;
    private final String sourceBucket;
    private final String derivativesBucket;
    private final String publicBaseUrl;

    /**
     * @param publicBaseUrl the URL viewers use (what the signer signs), or null to take it from the Host header
     */
    public CloudFrontEdge(int port, String publicBaseUrl, Map<String, PublicKey> trustedKeys, S3Client s3,
                          String sourceBucket, String derivativesBucket, Timeouts timeouts) {
        this.verifier = new CannedPolicyVerifier(trustedKeys);
        this.s3 = s3;
        this.sourceBucket = sourceBucket;
        this.derivativesBucket = derivativesBucket;
        this.publicBaseUrl = publicBaseUrl == null ? null
                : publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        QueuedThreadPool threads = new QueuedThreadPool(32, 4);
        threads.setName("cloudfront-edge");
        threads.setDaemon(true);
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Signed paths are S3 keys, percent-encoded as they were signed: nothing may be normalised away.
        http.setUriCompliance(UriCompliance.UNSAFE);
        http.setIdleTimeout(timeouts.read().toMillis());
        this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setIdleTimeout(timeouts.idle().toMillis());
        this.headTimeout = new HeadReadTimeout(timeouts.read());
        connector.addBean(headTimeout);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                CloudFrontEdge.this.handle(request, response, callback);
                return true;
            }
        });
    }

    public CloudFrontEdge(int port, String publicBaseUrl, Map<String, PublicKey> trustedKeys, S3Client s3,
                          String sourceBucket, String derivativesBucket) {
        this(port, publicBaseUrl, trustedKeys, s3, sourceBucket, derivativesBucket, Timeouts.DEFAULT);
    }

    /** The edge the local stack runs beside a query API: same buckets and S3, trusting the API's public key. */
    public static CloudFrontEdge forApi(ApiConfig config, PublicKey publicKey, int port) {
        return forApi(config, publicKey, port, Timeouts.DEFAULT);
    }

    public static CloudFrontEdge forApi(ApiConfig config, PublicKey publicKey, int port, Timeouts timeouts) {
        return new CloudFrontEdge(port, port == 0 ? null : config.cloudFrontDomain(),
                Map.of(config.cloudFrontKeyPairId(), publicKey), s3Client(config), config.sourceBucket(),
                config.derivativesBucket(), timeouts);
    }

    /**
     * An S3 client from the API's configuration: path-style for the local endpoint, the AWS default otherwise.
     * Tagged {@code filetrail-edge}: its reads are CloudFront's, which the stack allows by the buckets' origin
     * access control policies, and the tests' call recorder checks them against those.
     */
    public static S3Client s3Client(ApiConfig config) {
        var builder = S3Client.builder()
                .region(Region.of(config.awsRegion()))
                .overrideConfiguration(o -> o.appId("filetrail-edge"))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.awsAccessKeyId(), config.awsSecretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create());
        if (config.s3Endpoint() != null) {
            builder.endpointOverride(URI.create(config.s3Endpoint()))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
        }
        return builder.build();
    }

    public CloudFrontEdge start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("CloudFront edge cannot listen on port " + connector.getPort(), e);
        }
        headTimeout.start();
        log.info("cloudfront edge started port={} sourceBucket={} derivativesBucket={}", port(), sourceBucket,
                derivativesBucket);
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Connections open right now (accepted and not yet closed by either side). */
    public int openConnections() {
        return connector.getConnectedEndPoints().size();
    }

    /** The URL the signer must sign for: the configured one, else this loopback address. */
    public String url() {
        return publicBaseUrl != null ? publicBaseUrl : "http://127.0.0.1:" + port();
    }

    private void handle(Request request, Response response, Callback callback) {
        try {
            String method = request.getMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                error(response, callback, 405, "MethodNotAllowed",
                        "This distribution is not configured to allow the HTTP request method");
                return;
            }
            String rawPath = request.getHttpURI().getPath();
            String rawQuery = request.getHttpURI().getQuery();
            String base = publicBaseUrl != null ? publicBaseUrl : "http://" + request.getHeaders().get(HttpHeader.HOST);
            CannedPolicyVerifier.Denial denial = verifier.verify(base, rawPath, rawQuery, Instant.now());
            if (denial != null) {
                log.info("cloudfront edge denied path={} code={}", rawPath, denial.code());
                error(response, callback, 403, denial.code(), denial.message());
                return;
            }
            serve(request, response, callback, rawPath, rawQuery, method.equals("HEAD"));
        } catch (RuntimeException e) {
            log.error("cloudfront edge failed reason={}", e.toString(), e);
            callback.failed(e);
        }
    }

    private void serve(Request request, Response response, Callback callback, String rawPath, String rawQuery,
                       boolean head) {
        String bucket;
        String key;
        String versionId = null;
        try {
            key = ObjectPath.decode(rawPath.substring(1));
            if (rawPath.startsWith(CloudFrontSigner.DERIVATIVES_PREFIX)) {
                bucket = derivativesBucket;
            } else {
                bucket = sourceBucket;
                versionId = queryValue(rawQuery, "versionId");
            }
        } catch (ApiProblem e) {
            error(response, callback, 400, "InvalidURI", "Couldn't parse the specified URI.");
            return;
        }
        String range = request.getHeaders().get(HttpHeader.RANGE);
        String finalRange = range != null && SINGLE_RANGE.matcher(range).matches() ? range : null;
        String finalVersion = versionId;
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(b -> b.bucket(bucket).key(key)
                .versionId(finalVersion).range(finalRange))) {
            GetObjectResponse meta = object.response();
            var headers = response.getHeaders();
            headers.put(HttpHeader.CONTENT_TYPE, meta.contentType() == null ? "application/octet-stream" : meta.contentType());
            if (meta.eTag() != null) {
                headers.put(HttpHeader.ETAG, meta.eTag());
            }
            if (meta.versionId() != null) {
                headers.put("x-amz-version-id", meta.versionId());
            }
            headers.put(HttpHeader.ACCEPT_RANGES, "bytes");
            headers.put("X-Cache", "Miss from cloudfront");
            if (meta.contentRange() != null) {
                response.setStatus(206);
                headers.put(HttpHeader.CONTENT_RANGE, meta.contentRange());
            } else {
                response.setStatus(200);
            }
            long length = meta.contentLength() == null ? 0 : meta.contentLength();
            headers.put(HttpHeader.CONTENT_LENGTH, length);
            if (head) {
                response.write(true, null, callback);
                return;
            }
            // A client that stops reading makes this write block until the read timeout fails it.
            try (OutputStream out = Content.Sink.asOutputStream(response); InputStream in = object) {
                in.transferTo(out);
            }
            callback.succeeded();
            log.info("cloudfront edge served bucket={} key={} versionId={} bytes={}", bucket, key, finalVersion, length);
        } catch (S3Exception e) {
            int status = switch (e.statusCode()) {
                case 400, 404, 416 -> e.statusCode();
                default -> 502;
            };
            String code = e.awsErrorDetails() == null ? "Error" : e.awsErrorDetails().errorCode();
            error(response, callback, status, code, "The origin answered " + e.statusCode());
        } catch (java.io.IOException | RuntimeException e) {
            log.info("cloudfront edge response cut off bucket={} key={} versionId={} reason={}", bucket, key,
                    finalVersion, e.toString());
            callback.failed(e);
        }
    }

    private static String queryValue(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return ObjectPath.decode(pair.substring(name.length() + 1));
            }
        }
        return null;
    }

    private static void error(Response response, Callback callback, int status, String code, String message) {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/xml");
        response.getHeaders().put(HttpHeader.SERVER, "CloudFront");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("cloudfront edge stop failed reason={}", e.toString());
        }
        headTimeout.close();
        s3.close();
    }
}
