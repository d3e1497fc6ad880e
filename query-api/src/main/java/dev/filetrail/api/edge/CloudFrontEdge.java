package dev.filetrail.api.edge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.files.ObjectPath;
import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.urls.CloudFrontSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * bytes of the signed version from S3. {@code /_derivatives/…} is served from the derivatives bucket, every
 * other path from the source bucket, as the two behaviours of the AWS distribution do.
 */
public final class CloudFrontEdge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CloudFrontEdge.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final CannedPolicyVerifier verifier;
    private final S3Client s3;
    private final String sourceBucket;
    private final String derivativesBucket;
    private final String publicBaseUrl;

    /**
     * @param publicBaseUrl the URL viewers use (what the signer signs), or null to take it from the Host header
     */
    public CloudFrontEdge(int port, String publicBaseUrl, Map<String, PublicKey> trustedKeys, S3Client s3,
                          String sourceBucket, String derivativesBucket) {
        this.verifier = new CannedPolicyVerifier(trustedKeys);
        this.s3 = s3;
        this.sourceBucket = sourceBucket;
        this.derivativesBucket = derivativesBucket;
        this.publicBaseUrl = publicBaseUrl == null ? null
                : publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        try {
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("CloudFront edge cannot listen on port " + port, e);
        }
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "cloudfront-edge");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** The edge the local stack runs beside a query API: same buckets and S3, trusting the API's public key. */
    public static CloudFrontEdge forApi(ApiConfig config, PublicKey publicKey, int port) {
        return new CloudFrontEdge(port, port == 0 ? null : config.cloudFrontDomain(),
                Map.of(config.cloudFrontKeyPairId(), publicKey), s3Client(config), config.sourceBucket(),
                config.derivativesBucket());
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
        server.start();
        log.info("cloudfront edge started port={} sourceBucket={} derivativesBucket={}", port(), sourceBucket,
                derivativesBucket);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL the signer must sign for: the configured one, else this loopback address. */
    public String url() {
        return publicBaseUrl != null ? publicBaseUrl : "http://127.0.0.1:" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                error(exchange, 405, "MethodNotAllowed", "This distribution is not configured to allow the HTTP request method");
                return;
            }
            URI uri = exchange.getRequestURI();
            String base = publicBaseUrl != null ? publicBaseUrl
                    : "http://" + exchange.getRequestHeaders().getFirst("Host");
            CannedPolicyVerifier.Denial denial = verifier.verify(base, uri.getRawPath(), uri.getRawQuery(), Instant.now());
            if (denial != null) {
                log.info("cloudfront edge denied path={} code={}", uri.getRawPath(), denial.code());
                error(exchange, 403, denial.code(), denial.message());
                return;
            }
            serve(exchange, uri, method.equals("HEAD"));
        } catch (RuntimeException e) {
            log.error("cloudfront edge failed reason={}", e.toString(), e);
        }
    }

    private void serve(HttpExchange exchange, URI uri, boolean head) throws IOException {
        String rawPath = uri.getRawPath();
        String bucket;
        String key;
        String versionId = null;
        try {
            if (rawPath.startsWith(CloudFrontSigner.DERIVATIVES_PREFIX)) {
                bucket = derivativesBucket;
                key = ObjectPath.decode(rawPath.substring(1));
            } else {
                bucket = sourceBucket;
                key = ObjectPath.decode(rawPath.substring(1));
                versionId = queryValue(uri.getRawQuery(), "versionId");
            }
        } catch (ApiProblem e) {
            error(exchange, 400, "InvalidURI", "Couldn't parse the specified URI.");
            return;
        }
        String finalVersion = versionId;
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(b -> b.bucket(bucket).key(key)
                .versionId(finalVersion))) {
            GetObjectResponse meta = object.response();
            var headers = exchange.getResponseHeaders();
            headers.set("Content-Type", meta.contentType() == null ? "application/octet-stream" : meta.contentType());
            if (meta.eTag() != null) {
                headers.set("ETag", meta.eTag());
            }
            if (meta.versionId() != null) {
                headers.set("x-amz-version-id", meta.versionId());
            }
            headers.set("X-Cache", "Miss from cloudfront");
            long length = meta.contentLength() == null ? 0 : meta.contentLength();
            if (head) {
                headers.set("Content-Length", String.valueOf(length));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
            try (OutputStream out = exchange.getResponseBody(); InputStream in = object) {
                in.transferTo(out);
            }
            log.info("cloudfront edge served bucket={} key={} versionId={} bytes={}", bucket, key, finalVersion, length);
        } catch (S3Exception e) {
            int status = e.statusCode() == 404 ? 404 : e.statusCode() == 400 ? 400 : 502;
            String code = e.awsErrorDetails() == null ? "Error" : e.awsErrorDetails().errorCode();
            error(exchange, status, code, "The origin answered " + e.statusCode());
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

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.getResponseHeaders().set("Server", "CloudFront");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        s3.close();
    }
}
