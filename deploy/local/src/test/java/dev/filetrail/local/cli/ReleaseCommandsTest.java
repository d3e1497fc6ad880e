package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.launcher.cli.SmokeCommand;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * The commands a release runs against a deployment, run in-process against one local stack (real Kafka, PostgreSQL,
 * S3, SQS and every service) exactly as the pipeline's steps run them: {@code migrate} before the services roll,
 * a key made by {@code keys generate} and registered by its hash, and {@code smoke} with that key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseCommandsTest {
    private static final List<String> STEPS = List.of("upload", "history", "signed-url", "download", "cleanup");

    @TempDir
    static Path output;
    private LocalStack stack;
    private S3Client s3;

    /** One command's outcome. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    @BeforeAll
    void start() {
        stack = LocalStack.start(LocalStackConfig.ephemeral(output));
        s3 = Demo.s3Client(stack.endpoints());
    }

    @AfterAll
    void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private Run run(Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>(stack.serviceEnvironment());
        env.putAll(extra);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Run run(String... args) {
        return run(Map.of(), args);
    }

    /** A read key made and registered as the pipeline's smoke step does it: only the hash reaches the key store. */
    private JsonNode registeredKey(String name) {
        Run generated = run("keys", "generate", "--json");
        assertThat(generated.exit()).as(generated.err()).isZero();
        JsonNode key = generated.json();
        Run registered = run("keys", "create", "--name", name, "--scopes", "read", "--id", key.path("id").asText(),
                "--secret-sha256", key.path("secretSha256").asText(), "--json");
        assertThat(registered.exit()).as(registered.err()).isZero();
        assertThat(registered.out()).doesNotContain(key.path("plaintext").asText());
        assertThat(registered.json().hasNonNull("plaintext")).isFalse();
        return key;
    }

    private Run smoke(String apiKey, String bucket, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("smoke", "--api", stack.endpoints().api(),
                "--bucket", bucket, "--json"));
        args.addAll(List.of(more));
        return run(Map.of(SmokeCommand.API_KEY_VARIABLE, apiKey), args.toArray(String[]::new));
    }

    private static List<String> steps(JsonNode summary) {
        return java.util.stream.StreamSupport.stream(summary.path("steps").spliterator(), false)
                .map(s -> s.path("step").asText() + (s.path("passed").asBoolean() ? "" : " FAILED")).toList();
    }

    private List<String> versionsUnder(String bucket, String prefix) {
        return s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)).versions().stream()
                .map(v -> v.key() + "@" + v.versionId()).toList();
    }

    @Test
    void smokePassesAgainstTheLocalStackWithARegisteredKeyAndLeavesNoVersionBehind() {
        JsonNode key = registeredKey("smoke-ci");
        String bucket = stack.endpoints().sourceBucket();

        Run smoke = smoke(key.path("plaintext").asText(), bucket);

        assertThat(smoke.exit()).as(smoke.out() + smoke.err()).isZero();
        JsonNode summary = smoke.json();
        assertThat(summary.path("passed").asBoolean()).isTrue();
        assertThat(steps(summary)).containsExactlyElementsOf(STEPS);
        assertThat(summary.path("key").asText()).startsWith("_smoke/smoke ");
        assertThat(summary.path("versionId").asText()).isNotBlank();
        assertThat(versionsUnder(bucket, "_smoke/")).as("the check deletes the version it made").isEmpty();

        // Revoked (as the pipeline does after the check), the key is refused at once, and the upload still cleaned up.
        assertThat(run("keys", "revoke", key.path("id").asText()).exit()).isZero();
        Run refused = smoke(key.path("plaintext").asText(), bucket, "--timeout", "PT2M");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(steps(refused.json())).containsExactly("upload", "history FAILED", "cleanup");
        assertThat(refused.json().path("steps").path(1).path("detail").asText()).contains("refused").contains("401");
        assertThat(refused.err()).contains("smoke check failed at history");
        assertThat(versionsUnder(bucket, "_smoke/")).isEmpty();
    }

    @Test
    void smokeFailsWhenTheHistoryNeverShowsTheUploadAndKeepLeavesTheVersion() {
        // A versioned bucket whose changes reach nobody: S3 takes the file, Filetrail never hears of it.
        String unwatched = "unwatched-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(unwatched));
        s3.putBucketVersioning(b -> b.bucket(unwatched)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        JsonNode key = registeredKey("smoke-unwatched");

        Run smoke = smoke(key.path("plaintext").asText(), unwatched, "--timeout", "PT5S", "--keep");

        assertThat(smoke.exit()).isEqualTo(1);
        assertThat(steps(smoke.json())).containsExactly("upload", "history FAILED");
        assertThat(smoke.json().path("steps").path(1).path("detail").asText()).contains("did not show version")
                .contains(smoke.json().path("versionId").asText());
        assertThat(versionsUnder(unwatched, "_smoke/")).as("--keep").hasSize(1);
    }

    @Test
    void smokeNeedsAKeyAndItsOptions() {
        assertThat(run("smoke", "--api", stack.endpoints().api(), "--bucket", "b").exit()).as("no key").isEqualTo(2);
        assertThat(run(Map.of(SmokeCommand.API_KEY_VARIABLE, "ftk_x_y"), "smoke", "--bucket", "b").exit())
                .as("no --api").isEqualTo(2);
        Run help = run("smoke", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: filetrail smoke").contains("--api").contains("--bucket")
                .contains(SmokeCommand.API_KEY_VARIABLE);
        assertThat(run("--help").out()).contains("smoke").contains("migrate");
    }

    @Test
    void registeringAKeyTakesIdAndHashTogetherAndNeverTheSameIdTwice() {
        JsonNode key = registeredKey("smoke-twice");
        String id = key.path("id").asText();
        String hash = key.path("secretSha256").asText();

        assertThat(run("keys", "create", "--name", "half", "--id", id).exit()).isEqualTo(2);
        assertThat(run("keys", "create", "--name", "bad", "--id", "not_ok", "--secret-sha256", hash).exit()).isEqualTo(2);
        Run again = run("keys", "create", "--name", "again", "--id", id, "--secret-sha256", hash);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("exists already");
        assertThat(run("keys", "generate").out()).contains("secret-sha256").contains("ftk_");
    }

    @Test
    void migrateAppliesPendingVersionsOnceAndADryRunAppliesNothing() {
        Map<String, String> fresh = Map.of("DATABASE_SCHEMA", "release_" + UUID.randomUUID().toString().substring(0, 8));

        Run dry = run(fresh, "migrate", "--dry-run", "--json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().path("schemas").path(0).path("pending")).isNotEmpty();
        assertThat(dry.json().path("schemas").path(1).path("pending")).isNotEmpty();
        int readModel = dry.json().path("schemas").path(0).path("pending").size();
        assertThat(run(fresh, "migrate", "--dry-run", "--json").json().path("schemas").path(0).path("pending"))
                .as("a dry run applied nothing").hasSize(readModel);

        Run applied = run(fresh, "migrate", "--json");
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.json().path("schemas").path(0).path("executed").asInt()).isEqualTo(readModel);
        String version = applied.json().path("schemas").path(0).path("version").asText();
        assertThat(version).isEqualTo(dry.json().path("schemas").path(0).path("pending").path(readModel - 1).asText());

        Run again = run(fresh, "migrate", "--json");
        assertThat(again.json().path("schemas")).allSatisfy(schema -> {
            assertThat(schema.path("executed").asInt()).isZero();
            assertThat(schema.path("pending")).isEmpty();
        });
        assertThat(again.json().path("schemas").path(0).path("version").asText()).isEqualTo(version);
        // The running API migrated its own schema at start: nothing is left for a release to apply there.
        assertThat(run("migrate", "--json").json().path("schemas").path(0).path("executed").asInt()).isZero();
    }
}
