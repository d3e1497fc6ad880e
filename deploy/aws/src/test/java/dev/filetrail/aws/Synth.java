package dev.filetrail.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Template;

/**
 * Synthesized stacks for the tests, one synthesis per distinct context (a full synth takes seconds, so the
 * test classes share them).
 */
public final class Synth {
    private static final Map<Map<String, Object>, Result> CACHE = new ConcurrentHashMap<>();
    private static final Path FIXTURES = ModuleHome.path().resolve("target").resolve("test-fixtures");

    /** Both templates of one synthesis, and the stacks they came from. */
    public record Result(Template main, Template billing, FiletrailApp.Stacks stacks,
                         Map<String, Object> json, Map<String, Object> billingJson) {

        public Annotations annotations() {
            return Annotations.fromStack(stacks.main());
        }
    }

    private Synth() {
    }

    /** Everything at its documented default. */
    public static Result defaults() {
        return of(Map.of());
    }

    /**
     * Every option the other way: KMS, Intelligent-Tiering, non-default ingest numbers, real assets, a real
     * public key, a custom CDN domain, e-mail alarms, the account-wide cost monitor, paused services.
     */
    public static Result tuned() {
        return of(tunedContext());
    }

    /** The context of {@link #tuned()}. */
    public static Map<String, Object> tunedContext() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("encryption", "kms");
        context.put("intelligentTiering", "true");
        context.put("visibilityTimeoutSeconds", "300");
        context.put("dlqMaxReceives", "9");
        context.put("lambdaTimeoutSeconds", "90");
        context.put("lambdaJar", lambdaJar().toString());
        context.put("lambdaLayer", layerZip().toString());
        context.put("cloudFrontPublicKeyFile", publicKeyFile().toString());
        context.put("alarmEmail", "ops@example.com");
        context.put("costMonitor", "service");
        context.put("billingAlarmUsd", "2500");
        context.put("anomalyThresholdUsd", "250");
        context.put("cdnDomainName", "files.example.com");
        context.put("cdnCertificateArn", "arn:aws:acm:us-east-1:111122223333:certificate/abc");
        // The first deploy, before the image is pushed to the repository the stack creates.
        context.put("pauseServices", "true");
        return context;
    }

    /** {@link #tunedContext()} with three read-model shards (three Aurora clusters, each with its own secret). */
    public static Map<String, Object> shardedContext() {
        Map<String, Object> context = new LinkedHashMap<>(tunedContext());
        context.put("readModelShards", "3");
        return context;
    }

    /** The release pipeline the delivered variants name ({@code deliveredBy}). */
    public static final String PIPELINE = "filetrail";

    /** The stack of {@code context} as a release pipeline deploys it: the same, plus the roles its steps assume. */
    public static Result delivered(Map<String, Object> context) {
        Map<String, Object> delivered = new LinkedHashMap<>(context);
        delivered.put("deliveredBy", PIPELINE);
        return of(delivered);
    }

    /** Existing Kafka and PostgreSQL, an ECR image, an HTTPS API, another region, named zones. */
    public static Result existing() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("region", "eu-west-1");
        context.put("availabilityZones", "eu-west-1a,eu-west-1b");
        context.put("kafkaBootstrapServers", EXISTING_BOOTSTRAP);
        context.put("kafkaClusterArn", EXISTING_KAFKA_ARN);
        context.put("databaseUrl", EXISTING_DATABASE_URL);
        context.put("databaseSecretArn", EXISTING_SECRET_ARN);
        context.put("imageUri", EXISTING_IMAGE);
        context.put("apiCertificateArn", "arn:aws:acm:eu-west-1:111122223333:certificate/api");
        return of(context);
    }

    public static final String EXISTING_BOOTSTRAP = "b-1.prod.abc.c2.kafka.eu-west-1.amazonaws.com:9098";
    public static final String EXISTING_KAFKA_ARN = "arn:aws:kafka:eu-west-1:111122223333:cluster/prod/1111-2222-3333";
    public static final String EXISTING_DATABASE_URL = "jdbc:postgresql://db.internal:5432/filetrail";
    public static final String EXISTING_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:filetrail-db-AbCdEf";
    public static final String EXISTING_IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/filetrail:1.4.2";

    public static Result of(Map<String, Object> context) {
        return CACHE.computeIfAbsent(Map.copyOf(context), ctx -> {
            App app = new App(AppProps.builder().context(new LinkedHashMap<>(ctx)).build());
            FiletrailApp.Stacks stacks = FiletrailApp.build(app);
            Template main = Template.fromStack(stacks.main());
            Template billing = Template.fromStack(stacks.billing());
            // toJSON crosses into node each time: read each template's JSON once.
            return new Result(main, billing, stacks, main.toJSON(), billing.toJSON());
        });
    }

    /** A stand-in for the lambda-processors shaded jar. */
    public static Path lambdaJar() {
        return zip("filetrail-lambda-processors-test-lambda.jar", "dev/filetrail/lambda/Marker.class");
    }

    public static Path layerZip() {
        return zip("filetrail-lambda-layer-test.zip", "java/lib/codecs.jar");
    }

    public static final String TEST_PUBLIC_KEY = String.join("\n",
            "-----BEGIN PUBLIC KEY-----",
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtestkeytestkeytestkey",
            "-----END PUBLIC KEY-----", "");

    public static Path publicKeyFile() {
        return write("url-signing-public.pem", TEST_PUBLIC_KEY);
    }

    private static Path zip(String name, String entry) {
        Path file = FIXTURES.resolve(name);
        try {
            Files.createDirectories(FIXTURES);
            if (!Files.exists(file)) {
                try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
                    out.putNextEntry(new ZipEntry(entry));
                    out.write(new byte[] {1, 2, 3});
                    out.closeEntry();
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, String content) {
        try {
            Files.createDirectories(FIXTURES);
            return Files.writeString(FIXTURES.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resources of one type in a template's JSON, by logical id. */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> resources(Map<String, Object> template, String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        ((Map<String, Object>) template.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> r = (Map<String, Object>) resource;
            if (type.equals(r.get("Type"))) {
                found.put(id, r);
            }
        });
        return found;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
    }

    /** A value that may be one item or a list of items, as a list. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> items ? (List<Object>) items : List.of(value);
    }
}
