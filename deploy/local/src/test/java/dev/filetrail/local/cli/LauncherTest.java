package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.local.stack.ApiClient;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Starts {@code filetrail local} as a user does, in its own JVM, and drives it only through S3 and HTTP. */
class LauncherTest {

    @Test
    void filetrailLocalServesAnUploadThroughTheApi(@TempDir Path output) throws Exception {
        Path log = output.resolve("local.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                LocalFiletrailCommand.class.getName(), "local", "--output", output.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        for (String part : List.of("API", "API_ADMIN", "EDGE", "S3", "SQS", "SNS", "LAMBDA", "KAFKA", "POSTGRES")) {
            builder.environment().put("LOCAL_" + part + "_PORT", "0");
        }
        Process process = builder.start();
        try {
            Path endpointsFile = output.resolve("endpoints.json");
            Instant deadline = Instant.now().plusSeconds(180);
            while (!Files.exists(endpointsFile) && process.isAlive() && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            assertThat(endpointsFile).as("endpoints.json; process output:%n%s", readLog(log)).exists();
            Endpoints endpoints = Endpoints.read(endpointsFile);
            assertThat(endpoints.adminApiKey()).isNotBlank();

            String key = "launcher/hello world.txt";
            String versionId;
            try (S3Client s3 = Demo.s3Client(endpoints)) {
                versionId = s3.putObject(b -> b.bucket(endpoints.sourceBucket()).key(key), RequestBody.fromString("hi"))
                        .versionId();
            }
            JsonNode history = new ApiClient(endpoints.api(), endpoints.adminApiKey())
                    .await(Demo.versionsPath(endpoints.sourceBucket(), key), body -> body.path("versions").size() == 1,
                            Duration.ofSeconds(60));
            assertThat(history.path("versions").path(0).path("versionId").asText()).isEqualTo(versionId);
            // Readiness and metrics answer on the admin port only.
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            assertThat(status(http, endpoints.apiAdmin() + "/ready")).isEqualTo(200);
            assertThat(status(http, endpoints.apiAdmin() + "/metrics")).isEqualTo(200);
            assertThat(status(http, endpoints.api() + "/metrics")).isEqualTo(404);
            assertThat(status(http, endpoints.api() + "/health")).isEqualTo(200);
            assertThat(readLog(log)).contains("Filetrail is running").contains(endpoints.api());
        } finally {
            process.destroy();
        }
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        String threads = "";
        if (!exited) {
            // Before the forced kill: what the child was still doing, so a slow shutdown names its cause.
            threads = threadDump(process.pid());
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(exited).as("exited within 60 s of SIGTERM; its threads then:%n%s%nits log's end:%n%s", threads,
                tail(readLog(log), 200)).isTrue();
        assertThat(process.exitValue()).as("exit after SIGTERM").isIn(0, 143);
    }

    private static String threadDump(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return dump;
        } catch (Exception e) {
            return "no thread dump: " + e;
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static int status(java.net.http.HttpClient http, String url) throws Exception {
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String readLog(Path log) throws Exception {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void helpListsTheLocalCommandBesideEveryProductionCommand() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine commandLine = LocalFiletrailCommand.commandLine(java.util.Map.of());
        commandLine.setOut(new java.io.PrintWriter(out, true));
        assertThat(commandLine.execute("--help")).isZero();
        assertThat(commandLine.getSubcommands()).containsKeys("local", "chaos", "bridge", "streams", "api", "projector",
                "backfill", "replay", "rebuild", "reconcile", "dlq", "rejects", "keys", "topics", "probe", "migrate", "smoke",
                "reprocess");
        assertThat(out.toString()).contains("local", "Starts the whole system locally", "Exit codes:");
        assertThat(LocalFiletrailCommand.commandLine(java.util.Map.of()).execute("no-such-command")).isEqualTo(2);
    }

}
