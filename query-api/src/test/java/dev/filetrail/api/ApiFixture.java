package dev.filetrail.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.edge.CloudFrontEdge;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One query API on the real parts, with its own database, bucket, projector group and CloudFront edge, plus
 * an API key per scope, a feed playing the streams' part, and an HTTP client.
 */
public final class ApiFixture implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    public final String bucket;
    public final String derivativesBucket;
    public final QueryApi api;
    public final CloudFrontEdge edge;
    public final ReadModelFeed feed;
    public final Map<String, String> keys = new LinkedHashMap<>();
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public final ApiConfig config;
    private final StreamsStandIn standIn;

    public ApiFixture(String name, KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3, boolean standInTopology,
                      Duration shareWait, int rateLimit) {
        this(name, kafka, postgres, s3, standInTopology, shareWait, rateLimit, Map.of());
    }

    /**
     * @param apiEnvironment more variables for the API; when they configure the signing key (any
     *                       {@code CLOUDFRONT_PRIVATE_KEY*} or {@code FILETRAIL_LOCAL_MODE}), the API resolves its
     *                       key from them instead of being handed the one the edge trusts
     */
    public ApiFixture(String name, KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3, boolean standInTopology,
                      Duration shareWait, int rateLimit, Map<String, String> apiEnvironment) {
        int n = COUNTER.incrementAndGet();
        String unique = name + "-" + n + "-" + Long.toHexString(System.nanoTime()).substring(6);
        this.bucket = ("src-" + unique).toLowerCase();
        this.derivativesBucket = ("der-" + unique).toLowerCase();
        s3.createVersionedBucket(bucket);
        try (var client = s3.client()) {
            client.createBucket(b -> b.bucket(derivativesBucket));
        }
        String db = postgres.createDatabase("api_" + name);
        CloudFrontKeyPair keyPair = CloudFrontKeyPair.generate(ApiConfig.LOCAL_KEY_PAIR_ID);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("API_PORT", "0");
        env.put("API_ADMIN_PORT", "0");
        env.put("DATABASE_URL", db);
        env.putAll(kafka.settings(KafkaRole.API).environment());
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("SOURCE_BUCKET", bucket);
        env.put("DERIVATIVES_BUCKET", derivativesBucket);
        env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-" + unique);
        env.put("SHARE_CREATE_WAIT", shareWait.toString());
        env.put("SHARE_RATE_LIMIT_PER_MINUTE", String.valueOf(rateLimit));
        env.putAll(apiEnvironment);
        boolean ownKey = apiEnvironment.keySet().stream()
                .anyMatch(k -> k.startsWith("CLOUDFRONT_PRIVATE_KEY") || k.equals("FILETRAIL_LOCAL_MODE"));
        ApiConfig base = ApiConfig.fromMap(env);
        this.edge = CloudFrontEdge.forApi(base, keyPair.publicKey(), 0).start();
        ApiConfig withEdge = base.with(0, db, base.kafka(), s3.endpoint().toString(), edge.url());
        this.api = new QueryApi(withEdge, ownKey ? null : keyPair).start();
        this.config = api.config();
        this.feed = new ReadModelFeed(kafka.settings(KafkaRole.STREAMS), s3, bucket, derivativesBucket);
        this.standIn = standInTopology ? new StreamsStandIn(kafka.settings(KafkaRole.STREAMS), bucket, feed).start() : null;
        for (Scope scope : Scope.values()) {
            keys.put(scope.wireName(), api.apiKeys().create("test-" + scope.wireName(), EnumSet.of(scope)).plaintext());
        }
        // Each fixture's projector is a new group that first reads what every earlier test class left on the shared
        // topics (poison records bisected); late in a loaded full run that outlasts a test's 30 s wait for its own
        // first row, so the fixture is handed over level with the topics.
        await("the fixture's projectors level with the shared topics", Duration.ofMinutes(3),
                () -> api.projectors().stream().allMatch(p -> p.lag() == 0));
    }

    /**
     * The API variables of a read model in {@code count} new databases of {@code postgres} ({@code READ_MODEL_SHARDS}),
     * for the {@code apiEnvironment} of a sharded fixture.
     */
    public static Map<String, String> shardedReadModel(PostgresServer postgres, String name, int count) {
        java.util.List<String> urls = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            urls.add(postgres.createDatabase("api_" + name + "_shard" + i));
        }
        return Map.of("READ_MODEL_SHARDS", String.join(",", urls));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    /** The admin port's base URL: {@code /health}, {@code /ready}, {@code /metrics}. */
    public String adminUrl() {
        return "http://127.0.0.1:" + api.adminPort();
    }

    /** The status a GET of {@code url} answers, or -1 when the request fails. */
    public static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }

    public HttpResponse<String> get(String rawPath, String key) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + rawPath)).GET(), key);
    }

    /** A GET written on a raw socket, for paths java.net.URI refuses to build; returns the status line. */
    public String rawGet(String rawPath, String key) {
        try (var socket = new java.net.Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            String request = "GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> post(String rawPath, String key, String json) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + rawPath))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)), key);
    }

    public HttpResponse<String> delete(String rawPath, String key) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + rawPath)).DELETE(), key);
    }

    public HttpResponse<String> send(HttpRequest.Builder request, String key) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    public String admin() {
        return keys.get("admin");
    }

    /** The API path of one file of this fixture's bucket, its key sent as one encoded segment. */
    public String filePath(String key) {
        return "/v1/buckets/" + bucket + "/files/" + ObjectPath.encodeSegment(key);
    }

    /** A response body as JSON; an assertion error showing the body when it is not. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body());
        }
    }

    /** Polls until {@code condition} holds; fails with {@code what} after 30 s. */
    public static void await(String what, BooleanSupplier condition) {
        await(what, Duration.ofSeconds(30), condition);
    }

    /** Polls until {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            pause = Math.min(100, pause * 2);
        }
    }

    public static Set<String> scopes() {
        return Set.of("read", "share", "admin");
    }

    @Override
    public void close() {
        if (standIn != null) {
            standIn.close();
        }
        feed.close();
        api.close();
        edge.close();
    }
}
