package dev.filetrail.api;

import dev.filetrail.api.files.AsOfSnapshots;
import dev.filetrail.api.files.FileAnswerCache;
import dev.filetrail.api.http.ClientAddress;
import dev.filetrail.api.changes.ChangeFeedSettings;
import dev.filetrail.api.keys.KeyCache;
import dev.filetrail.api.shards.ShardSettings;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything the query API (HTTP server, projector, URL signer) needs, read from environment variables whose
 * defaults point at the local stack.
 *
 * @param kafka                    KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*: the api role's login
 * @param cloudFrontPrivateKeyPath PEM private key; when null and {@code localMode}, a key pair is generated, and
 *                                 when null otherwise the API starts with URL signing unavailable (503s)
 * @param databaseSchema           schema holding the read model (rebuilds swap it); API keys live in
 *                                 {@code <schema>_keys}, which rebuilds never touch
 * @param trustedProxies           CIDRs whose {@code X-Forwarded-For} is believed; empty = never believe it
 * @param sharePasswordAttemptsPerMinute wrong share-link passwords allowed per link, and per client, per minute
 * @param adminPort                port of {@code /health}, {@code /ready} and {@code /metrics}, never exposed by the
 *                                 public load balancer (0 = a free one)
 * @param projectorStuckAfter      {@code /ready} fails while the projector has retried one batch for longer
 * @param apiKeyCache              API_KEY_CACHE_SIZE, API_KEY_NEGATIVE_TTL: the cache of verified keys
 * @param fileCache                FILE_CACHE_BYTES: the serialised answers of the file and history routes
 * @param restoreMultipartThreshold RESTORE_MULTIPART_THRESHOLD: a restored version above this many bytes is copied
 *                                 in parts (S3 copies at most 5 GiB in one CopyObject)
 * @param restorePartSize          RESTORE_PART_SIZE: bytes per part of such a copy (5 MiB..5 GiB)
 * @param rewindRequestsPerSecond  REWIND_REQUESTS_PER_SECOND: the S3 requests a rewind job makes per second at most
 * @param rewindConfirmAbove       REWIND_CONFIRM_ABOVE: a rewind of more keys than this needs {@code "confirm": true}
 * @param readModelShards          READ_MODEL_SHARDS, READ_MODEL_REPLICAS, DATABASE_USER_i, DATABASE_PASSWORD_i: the
 *                                 read model's shards; none listed = one shard at {@code databaseUrl};
 *                                 READ_MODEL_FANOUT_THREADS: the threads that ask them at once
 * @param asOfSnapshots            AS_OF_SNAPSHOT_INTERVAL, AS_OF_SNAPSHOT_RETAIN: the head snapshots behind as-of
 *                                 listings
 */
public record ApiConfig(
        int port,
        String publicBaseUrl,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        String databaseSchema,
        int databasePoolSize,
        KafkaClientSettings kafka,
        String projectorGroupId,
        String cloudFrontDomain,
        String cloudFrontKeyPairId,
        Path cloudFrontPrivateKeyPath,
        Duration signedUrlTtl,
        Duration signedUrlMaxTtl,
        String s3Endpoint,
        String awsRegion,
        String awsAccessKeyId,
        String awsSecretAccessKey,
        String sourceBucket,
        String derivativesBucket,
        int shareRateLimitPerMinute,
        Duration shareCreateWait,
        long readyMaxLag,
        boolean localMode,
        List<String> trustedProxies,
        int sharePasswordAttemptsPerMinute,
        int adminPort,
        Duration projectorStuckAfter,
        KeyCache.Settings apiKeyCache,
        FileAnswerCache.Settings fileCache,
        ChangeFeedSettings changeFeed,
        long restoreMultipartThreshold,
        long restorePartSize,
        double rewindRequestsPerSecond,
        int rewindConfirmAbove,
        ShardSettings readModelShards,
        AsOfSnapshots.Settings asOfSnapshots) {

    public static final Duration MAX_SIGNED_URL_TTL = Duration.ofHours(1);
    /** DATABASE_POOL_SIZE when unset. */
    public static final int DEFAULT_POOL_SIZE = 16;
    public static final String LOCAL_KEY_PAIR_ID = "K2FILETRAILLOCAL";

    public ApiConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("API_PORT must be 0..65535, got " + port);
        }
        if (adminPort < 0 || adminPort > 65535) {
            throw new IllegalArgumentException("API_ADMIN_PORT must be 0..65535, got " + adminPort);
        }
        if (projectorStuckAfter.isNegative() || projectorStuckAfter.isZero()) {
            throw new IllegalArgumentException("PROJECTOR_STUCK_AFTER must be positive, got " + projectorStuckAfter);
        }
        if (!databaseSchema.matches("[a-z_][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("DATABASE_SCHEMA must match [a-z_][a-z0-9_]{0,40}, got " + databaseSchema);
        }
        if (signedUrlMaxTtl.compareTo(MAX_SIGNED_URL_TTL) > 0 || signedUrlMaxTtl.isNegative() || signedUrlMaxTtl.isZero()) {
            throw new IllegalArgumentException("SIGNED_URL_MAX_TTL must be within (0, 1h], got " + signedUrlMaxTtl);
        }
        if (signedUrlTtl.isNegative() || signedUrlTtl.isZero() || signedUrlTtl.compareTo(signedUrlMaxTtl) > 0) {
            throw new IllegalArgumentException("SIGNED_URL_TTL must be within (0, SIGNED_URL_MAX_TTL], got " + signedUrlTtl);
        }
        trustedProxies = List.copyOf(trustedProxies);
        readModelShards = readModelShards == null ? ShardSettings.SINGLE : readModelShards;
        asOfSnapshots = asOfSnapshots == null ? AsOfSnapshots.Settings.DEFAULT : asOfSnapshots;
        new ClientAddress(trustedProxies);
        if (sharePasswordAttemptsPerMinute < 1) {
            throw new IllegalArgumentException("SHARE_PASSWORD_ATTEMPTS_PER_MINUTE must be at least 1");
        }
        if (shareRateLimitPerMinute < 1) {
            throw new IllegalArgumentException("SHARE_RATE_LIMIT_PER_MINUTE must be at least 1");
        }
        if (cloudFrontKeyPairId == null || cloudFrontKeyPairId.isBlank()) {
            throw new IllegalArgumentException("CLOUDFRONT_KEY_PAIR_ID must not be blank");
        }
        if (restoreMultipartThreshold < 1 || restoreMultipartThreshold > (5L << 30)) {
            throw new IllegalArgumentException("RESTORE_MULTIPART_THRESHOLD must be 1..5368709120 bytes, got "
                    + restoreMultipartThreshold);
        }
        if (!(rewindRequestsPerSecond > 0)) {
            throw new IllegalArgumentException("REWIND_REQUESTS_PER_SECOND must be above 0, got "
                    + rewindRequestsPerSecond);
        }
        if (rewindConfirmAbove < 0) {
            throw new IllegalArgumentException("REWIND_CONFIRM_ABOVE must be 0 or more, got " + rewindConfirmAbove);
        }
        if (restorePartSize < 1 || restorePartSize > (5L << 30)) {
            throw new IllegalArgumentException("RESTORE_PART_SIZE must be 1..5368709120 bytes (S3 wants at least"
                    + " 5 MiB for all but the last part), got " + restorePartSize);
        }
        URI.create(publicBaseUrl);
        URI.create(cloudFrontDomain);
        publicBaseUrl = stripSlash(publicBaseUrl);
        cloudFrontDomain = stripSlash(cloudFrontDomain);
    }

    public static ApiConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    /** Reads the configuration from any name → value map (the environment, or a test's map). */
    public static ApiConfig fromMap(Map<String, String> env) {
        Function<String, String> get = name -> {
            String value = env.get(name);
            return value == null ? null : value.trim();
        };
        Env e = new Env(get);
        String keyPath = e.str("CLOUDFRONT_PRIVATE_KEY_PATH", "");
        String keyPem = env.get("CLOUDFRONT_PRIVATE_KEY");
        if (keyPath.isEmpty() && keyPem != null && !keyPem.isBlank()) {
            keyPath = privateKeyFile(keyPem).toString();
        }
        return new ApiConfig(
                e.integer("API_PORT", 8080),
                e.str("PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
                e.str("DATABASE_URL", "jdbc:postgresql://127.0.0.1:5433/filetrail"),
                e.str("DATABASE_USER", "postgres"),
                e.str("DATABASE_PASSWORD", "postgres"),
                e.str("DATABASE_SCHEMA", "filetrail"),
                e.integer("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE),
                KafkaClientSettings.fromEnvironment(get),
                e.str("PROJECTOR_GROUP_ID", "filetrail-query-projector"),
                e.str("CLOUDFRONT_URL", "http://127.0.0.1:8081"),
                e.str("CLOUDFRONT_KEY_PAIR_ID", LOCAL_KEY_PAIR_ID),
                keyPath.isEmpty() ? null : Path.of(keyPath),
                Duration.parse(e.str("SIGNED_URL_TTL", "PT5M")),
                Duration.parse(e.str("SIGNED_URL_MAX_TTL", "PT1H")),
                e.optional("S3_ENDPOINT", "http://127.0.0.1:9000"),
                e.str("AWS_REGION", "us-east-1"),
                e.str("AWS_ACCESS_KEY_ID", "filetrail"),
                e.str("AWS_SECRET_ACCESS_KEY", "filetrail-local-secret"),
                e.str("SOURCE_BUCKET", "filetrail-local"),
                e.str("DERIVATIVES_BUCKET", "filetrail-local-derivatives"),
                e.integer("SHARE_RATE_LIMIT_PER_MINUTE", 60),
                Duration.parse(e.str("SHARE_CREATE_WAIT", "PT5S")),
                Long.parseLong(e.str("READY_MAX_LAG", "10000")),
                Boolean.parseBoolean(e.str("FILETRAIL_LOCAL_MODE", keyPath.isEmpty() ? "true" : "false")),
                ClientAddress.parseList(e.str("TRUSTED_PROXIES", "")),
                e.integer("SHARE_PASSWORD_ATTEMPTS_PER_MINUTE", 10),
                e.integer("API_ADMIN_PORT", 9090),
                Duration.parse(e.str("PROJECTOR_STUCK_AFTER", "PT1M")),
                new KeyCache.Settings(e.integer("API_KEY_CACHE_SIZE", KeyCache.Settings.DEFAULT.maxSize()),
                        e.duration("API_KEY_NEGATIVE_TTL", KeyCache.Settings.DEFAULT.negativeTtl())),
                new FileAnswerCache.Settings(Long.parseLong(e.str("FILE_CACHE_BYTES",
                        Long.toString(FileAnswerCache.Settings.DEFAULT.maxBytes())))),
                new ChangeFeedSettings(
                        ChangeFeedSettings.parseKeys(e.str("CHANGES_CURSOR_KEYS", ChangeFeedSettings.LOCAL_CURSOR_KEY)),
                        e.duration("CHANGES_RETENTION", ChangeFeedSettings.DEFAULT.retention()),
                        e.integer("CHANGES_WAITS_PER_KEY", ChangeFeedSettings.DEFAULT.waitsPerKey()),
                        e.integer("CHANGES_BACKOFF_ABOVE", ChangeFeedSettings.DEFAULT.backoffAbove()),
                        e.duration("CHANGES_HEARTBEAT", ChangeFeedSettings.DEFAULT.heartbeat()),
                        e.duration("CHANGES_STREAM_TICKET_TTL", ChangeFeedSettings.DEFAULT.streamTicketTtl())),
                Long.parseLong(e.str("RESTORE_MULTIPART_THRESHOLD", String.valueOf(5L << 30))),
                Long.parseLong(e.str("RESTORE_PART_SIZE", String.valueOf(512L << 20))),
                Double.parseDouble(e.str("REWIND_REQUESTS_PER_SECOND", "50")),
                e.integer("REWIND_CONFIRM_ABOVE", 100),
                ShardSettings.fromEnvironment(get),
                new AsOfSnapshots.Settings(e.duration("AS_OF_SNAPSHOT_INTERVAL", AsOfSnapshots.Settings.DEFAULT.interval()),
                        e.integer("AS_OF_SNAPSHOT_RETAIN", AsOfSnapshots.Settings.DEFAULT.retain())));
    }

    /** The local stack's configuration: every service in one JVM, endpoints given by the stack. */
    public static ApiConfig local(int port, String databaseUrl, KafkaClientSettings kafka, String s3Endpoint,
                                  String cloudFrontDomain) {
        return fromMap(Map.of()).with(port, databaseUrl, kafka, s3Endpoint, cloudFrontDomain);
    }

    /** A copy pointing at other endpoints (port 0 picks a free one); the public base URL follows the port. */
    public ApiConfig with(int newPort, String newDatabaseUrl, KafkaClientSettings newKafka, String newS3,
                          String newCloudFront) {
        String base = newPort == 0 ? publicBaseUrl : "http://127.0.0.1:" + newPort;
        return new ApiConfig(newPort, base, newDatabaseUrl, databaseUser, databasePassword, databaseSchema,
                databasePoolSize, newKafka,
                projectorGroupId, newCloudFront, cloudFrontKeyPairId, cloudFrontPrivateKeyPath, signedUrlTtl,
                signedUrlMaxTtl, newS3, awsRegion, awsAccessKeyId, awsSecretAccessKey, sourceBucket,
                derivativesBucket, shareRateLimitPerMinute, shareCreateWait, readyMaxLag, localMode,
                trustedProxies, sharePasswordAttemptsPerMinute, adminPort, projectorStuckAfter, apiKeyCache, fileCache,
                changeFeed, restoreMultipartThreshold, restorePartSize, rewindRequestsPerSecond,
                rewindConfirmAbove, readModelShards, asOfSnapshots);
    }

    public ApiConfig withPublicBaseUrl(String url) {
        return new ApiConfig(port, url, databaseUrl, databaseUser, databasePassword, databaseSchema,
                databasePoolSize, kafka,
                projectorGroupId, cloudFrontDomain, cloudFrontKeyPairId, cloudFrontPrivateKeyPath, signedUrlTtl,
                signedUrlMaxTtl, s3Endpoint, awsRegion, awsAccessKeyId, awsSecretAccessKey, sourceBucket,
                derivativesBucket, shareRateLimitPerMinute, shareCreateWait, readyMaxLag, localMode,
                trustedProxies, sharePasswordAttemptsPerMinute, adminPort, projectorStuckAfter, apiKeyCache, fileCache,
                changeFeed, restoreMultipartThreshold, restorePartSize, rewindRequestsPerSecond,
                rewindConfirmAbove, readModelShards, asOfSnapshots);
    }

    public ApiConfig withProjector(String groupId, String schema) {
        return new ApiConfig(port, publicBaseUrl, databaseUrl, databaseUser, databasePassword, schema,
                databasePoolSize, kafka,
                groupId, cloudFrontDomain, cloudFrontKeyPairId, cloudFrontPrivateKeyPath, signedUrlTtl,
                signedUrlMaxTtl, s3Endpoint, awsRegion, awsAccessKeyId, awsSecretAccessKey, sourceBucket,
                derivativesBucket, shareRateLimitPerMinute, shareCreateWait, readyMaxLag, localMode,
                trustedProxies, sharePasswordAttemptsPerMinute, adminPort, projectorStuckAfter, apiKeyCache, fileCache,
                changeFeed, restoreMultipartThreshold, restorePartSize, rewindRequestsPerSecond,
                rewindConfirmAbove, readModelShards, asOfSnapshots);
    }

    public ApiConfig withShareRateLimit(int perMinute) {
        return new ApiConfig(port, publicBaseUrl, databaseUrl, databaseUser, databasePassword, databaseSchema,
                databasePoolSize, kafka,
                projectorGroupId, cloudFrontDomain, cloudFrontKeyPairId, cloudFrontPrivateKeyPath, signedUrlTtl,
                signedUrlMaxTtl, s3Endpoint, awsRegion, awsAccessKeyId, awsSecretAccessKey, sourceBucket,
                derivativesBucket, perMinute, shareCreateWait, readyMaxLag, localMode,
                trustedProxies, sharePasswordAttemptsPerMinute, adminPort, projectorStuckAfter, apiKeyCache, fileCache,
                changeFeed, restoreMultipartThreshold, restorePartSize, rewindRequestsPerSecond,
                rewindConfirmAbove, readModelShards, asOfSnapshots);
    }

    /** A copy with these read-model shards (tests and the local stack). */
    public ApiConfig withReadModelShards(ShardSettings shards) {
        return new ApiConfig(port, publicBaseUrl, databaseUrl, databaseUser, databasePassword, databaseSchema,
                databasePoolSize, kafka,
                projectorGroupId, cloudFrontDomain, cloudFrontKeyPairId, cloudFrontPrivateKeyPath, signedUrlTtl,
                signedUrlMaxTtl, s3Endpoint, awsRegion, awsAccessKeyId, awsSecretAccessKey, sourceBucket,
                derivativesBucket, shareRateLimitPerMinute, shareCreateWait, readyMaxLag, localMode,
                trustedProxies, sharePasswordAttemptsPerMinute, adminPort, projectorStuckAfter, apiKeyCache, fileCache,
                changeFeed, restoreMultipartThreshold, restorePartSize, rewindRequestsPerSecond,
                rewindConfirmAbove, shards, asOfSnapshots);
    }

    /**
     * Refuses a sharded read model for a part that does not route by shard yet, rather than letting it read or
     * write only one database and answer wrongly.
     *
     * @param what the part, as the operator knows it ("the query API", "filetrail rebuild")
     */
    public void requireOneShard(String what) {
        int n = readModelShards.count();
        if (n > 1) {
            throw new IllegalStateException("READ_MODEL_SHARDS lists " + n + " shards, but " + what + " does not "
                    + "route by shard yet; only the query API, the projector (filetrail projector), filetrail migrate and "
                    + "filetrail keys run sharded. Run " + what + " with one shard (READ_MODEL_SHARDS unset: DATABASE_URL).");
        }
    }

    /** The read model's shards, resolved: one at {@code DATABASE_URL} unless READ_MODEL_SHARDS lists them. */
    public java.util.List<ShardSettings.ShardEndpoint> shardEndpoints() {
        return readModelShards.endpoints(databaseUrl, databaseUser, databasePassword);
    }

    /** The schema holding API keys, outside the read model so a rebuild never drops them. */
    public String keysSchema() {
        return databaseSchema + "_keys";
    }

    /**
     * ECS injects a Secrets Manager value as an environment variable, not a file: the PEM text is written to a file
     * only its owner can read, so the key is loaded the same way wherever it comes from.
     */
    private static Path privateKeyFile(String pem) {
        try {
            Path file = java.nio.file.Files.createTempFile("cloudfront-key-", ".pem",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, pem, java.nio.charset.StandardCharsets.ISO_8859_1);
            file.toFile().deleteOnExit();
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not write CLOUDFRONT_PRIVATE_KEY to a private file", e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private record Env(Function<String, String> get) {
        String str(String name, String fallback) {
            String value = get.apply(name);
            return value == null || value.isEmpty() ? fallback : value;
        }

        /** Unset gives the fallback; set but empty gives null (for S3_ENDPOINT: the AWS default endpoint). */
        String optional(String name, String fallback) {
            String value = get.apply(name);
            return value == null ? fallback : (value.isEmpty() ? null : value);
        }

        Duration duration(String name, Duration fallback) {
            String value = str(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException ex) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 duration such as PT10S, got '"
                        + value + "'");
            }
        }

        int integer(String name, int fallback) {
            String value = str(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
            }
        }
    }
}
