package dev.filetrail.local.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.events.Json;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.Endpoints;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A whole-pipeline chaos run: the real parts in this JVM ({@link LocalStack#startParts}), the bridge, the streams
 * and the API (with its projector) as processes of their own, a generator writing to S3, a relay that doubles and
 * delays notifications, and faults in turn (each service SIGKILLed and started again, the Kafka broker and
 * PostgreSQL stopped and started). Then it waits until the stack has settled and checks the API against S3.
 */
public final class ChaosRun {
    private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
    private static final Duration OUTAGE = Duration.ofSeconds(3);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(4);

    private final ChaosOptions options;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Long> faults = new TreeMap<>();
    private final Map<String, Long> exits = new TreeMap<>();
    private Map<String, ServiceProcess> supervised = Map.of();

    public ChaosRun(ChaosOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    /** Runs it and writes {@code chaos-report.json} to the output directory. */
    public ChaosReport run() {
        Path dir = options.outputDir().toAbsolutePath();
        Path logs = dir.resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        say("starting the parts (Kafka, PostgreSQL, S3, SQS, SNS, Lambdas) in this JVM");
        try (LocalStack stack = LocalStack.startParts(LocalStackConfig.ephemeral(dir.resolve("stack")))) {
            Map<String, ServiceProcess> services = new LinkedHashMap<>();
            services.put("bridge", new ServiceProcess("bridge", stack.serviceEnvironment(KafkaRole.BRIDGE), logs));
            services.put("streams", new ServiceProcess("streams", stack.serviceEnvironment(KafkaRole.STREAMS), logs));
            services.put("api", new ServiceProcess("api", stack.serviceEnvironment(KafkaRole.API), logs));
            try {
                ChaosReport report = run(stack, services, logs);
                Files.writeString(dir.resolve("chaos-report.json"),
                        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
                return report;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                services.values().forEach(ServiceProcess::close);
            }
        }
    }

    private ChaosReport run(LocalStack stack, Map<String, ServiceProcess> services, Path logs) throws IOException {
        Endpoints endpoints = stack.endpoints();
        Map<String, String> ops = stack.serviceEnvironment();
        services.values().forEach(ServiceProcess::start);
        supervised = services;
        String apiKey = awaitApi(endpoints, services, ops, logs);
        say("services running as processes; api key created");

        try (S3Client s3 = Demo.s3Client(endpoints); SqsClient sqs = Demo.sqsClient(endpoints)) {
            Relay relay = new Relay(sqs, stack.relayQueueUrl(), endpoints.ingestQueueUrl(), options.seed(), 0.15, 0.10,
                    Duration.ofSeconds(5));
            Generator generator = new Generator(s3, endpoints.sourceBucket(), options.keys(), options.seed(),
                    options.rate());
            Thread relayThread = new Thread(relay, "chaos-relay");
            Thread generatorThread = new Thread(generator, "chaos-generator");
            relayThread.start();
            generatorThread.start();

            injectFaults(stack, services);

            generator.stop();
            join(generatorThread);
            relay.drain();
            Instant lastWrite = Instant.now();
            say("writes stopped: " + generator.operations() + "; waiting for the stack to settle");
            List<String> unsettled = awaitSettled(stack, relay, sqs, endpoints, services);
            long settleMillis = Duration.between(lastWrite, Instant.now()).toMillis();
            relay.stop();
            join(relayThread);

            List<String> problems = new ArrayList<>(unsettled);
            Map<String, Long> deliveries = new LinkedHashMap<>();
            deliveries.put("forwarded", relay.forwarded());
            deliveries.put("duplicated", relay.duplicated());
            deliveries.put("delayed", relay.delayed());
            Check check = new Check(endpoints, apiKey, problems);
            for (String key : generator.keys()) {
                try {
                    check.key(s3, key, generator.made(key));
                } catch (RuntimeException e) {
                    problems.add("could not check " + key + ": " + e.getMessage());
                }
            }
            Map<String, Long> parked = parked(ops, logs, problems);
            long reconcile = reconcile(ops, logs, endpoints.sourceBucket(), problems);
            services.values().stream().filter(s -> !s.alive())
                    .forEach(s -> problems.add(s.command() + " process is not running at the end"));
            ChaosReport report = new ChaosReport(options.seed(), options.duration().toSeconds(), options.rate(),
                    generator.operations(), Map.copyOf(faults), Map.copyOf(exits), deliveries, generator.keys().size(), check.versions,
                    check.lost, check.doubled, check.misordered, check.wrongCurrent, parked, reconcile, settleMillis,
                    problems.isEmpty(), List.copyOf(problems));
            say(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            return report;
        }
    }

    /** Faults evenly spread over the run: each service SIGKILLed and started again, then the broker, then PostgreSQL. */
    private void injectFaults(LocalStack stack, Map<String, ServiceProcess> services) {
        List<Runnable> schedule = new ArrayList<>();
        for (ServiceProcess service : services.values()) {
            schedule.add(() -> {
                service.kill();
                count("sigkill-" + service.command());
                pause(Duration.ofSeconds(1));
                service.start();
            });
        }
        schedule.add(() -> {
            stack.kafka().stop();
            count("kafka-broker-restart");
            pause(OUTAGE);
            stack.kafka().restart();
        });
        if (stack.postgres() != null) {
            schedule.add(() -> {
                stack.postgres().stop();
                count("postgresql-restart");
                pause(OUTAGE);
                stack.postgres().restart();
            });
        }
        Instant start = Instant.now();
        long slot = options.duration().toMillis() / (schedule.size() + 1);
        for (int i = 0; i < schedule.size(); i++) {
            pauseUntil(start.plusMillis(slot * (i + 1)));
            schedule.get(i).run();
            say("fault injected: " + faults);
        }
        pauseUntil(start.plus(options.duration()));
    }

    /** Starts again each service that exited on its own, and counts it. */
    private void supervise() {
        supervised.values().forEach(s -> {
            if (s.restartIfExited()) {
                exits.merge(s.command(), 1L, Long::sum);
                say("service exited on its own and was started again: " + s.command());
            }
        });
    }

    private void count(String fault) {
        faults.merge(fault, 1L, Long::sum);
        log.info("chaos fault injected kind={}", fault);
    }

    /**
     * Settled: nothing held by the relay, no Lambda invocation or SNS delivery pending, the ingest queue empty
     * (visible and in flight), and no consumer group (the streams', the projector's) with a committed record still
     * ahead of it; all of that twice in a row. Returns what was still unsettled at the bound (empty when settled).
     */
    private List<String> awaitSettled(LocalStack stack, Relay relay, SqsClient sqs, Endpoints endpoints,
                                      Map<String, ServiceProcess> services) {
        Instant deadline = Instant.now().plus(options.settleTimeout());
        KafkaClientSettings kafka = KafkaClientSettings.fromEnvironment(stack.serviceEnvironment());
        int quiet = 0;
        List<String> waiting = List.of();
        while (Instant.now().isBefore(deadline)) {
            waiting = new ArrayList<>();
            if (!relay.idle()) {
                waiting.add("relay still holds or has notifications to pass on");
            }
            if (stack.lambdas().pending() > 0) {
                waiting.add("lambda invocations pending=" + stack.lambdas().pending());
            }
            if (stack.sns().pendingDeliveries() > 0) {
                waiting.add("sns deliveries pending=" + stack.sns().pendingDeliveries());
            }
            long ingest = Relay.depth(sqs, endpoints.ingestQueueUrl());
            if (ingest > 0) {
                waiting.add("ingest queue holds messages=" + ingest);
            }
            waiting.addAll(consumerLag(kafka));
            quiet = waiting.isEmpty() ? quiet + 1 : 0;
            if (quiet >= 2) {
                return List.of();
            }
            pauseUntil(Instant.now().plusSeconds(1));
        }
        List<String> diagnosis = new ArrayList<>();
        diagnosis.add("did not settle within " + options.settleTimeout().toSeconds() + " s: " + waiting);
        Map<String, String> env = stack.serviceEnvironment();
        diagnosis.add("api /ready: " + answer("http://127.0.0.1:" + env.get("API_ADMIN_PORT") + "/ready"));
        diagnosis.add("streams /ready: " + answer("http://127.0.0.1:" + env.get("STREAMS_METRICS_PORT") + "/ready"));
        diagnosis.add("bridge /health: " + answer("http://127.0.0.1:" + env.get("BRIDGE_METRICS_PORT") + "/health"));
        services.values().forEach(s -> diagnosis.add(s.command() + " alive=" + s.alive()));
        return diagnosis;
    }

    /**
     * Partitions where a consumer group's committed offset has a committed record after it. The log end alone says
     * too much: a transaction's commit marker takes an offset no consumer ever commits past, so a gap is checked by
     * reading it (read_committed) as the ops role.
     */
    private static List<String> consumerLag(KafkaClientSettings kafka) {
        List<String> lagging = new ArrayList<>();
        try (Admin admin = kafka.newAdmin()) {
            Map<TopicPartition, Long> gaps = new HashMap<>();
            Map<TopicPartition, String> groups = new HashMap<>();
            for (ConsumerGroupListing group : admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                committed.forEach((tp, offset) -> {
                    if (offset != null && ends.get(tp).offset() > offset.offset()) {
                        gaps.put(tp, offset.offset());
                        groups.put(tp, group.groupId());
                    }
                });
            }
            if (gaps.isEmpty()) {
                return lagging;
            }
            try (KafkaConsumer<byte[], byte[]> consumer = kafka.newConsumer(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                for (Map.Entry<TopicPartition, Long> gap : gaps.entrySet()) {
                    consumer.assign(List.of(gap.getKey()));
                    consumer.seek(gap.getKey(), gap.getValue());
                    if (!consumer.poll(Duration.ofMillis(500)).isEmpty()) {
                        lagging.add("group " + groups.get(gap.getKey()) + " behind on " + gap.getKey());
                    }
                }
            }
        } catch (Exception e) {
            lagging.add("consumer lag unknown: " + e);
        }
        return lagging;
    }

    /** Waits for the API process's /ready, then creates an admin key with {@code filetrail keys create}. */
    private String awaitApi(Endpoints endpoints, Map<String, ServiceProcess> services, Map<String, String> ops,
                            Path logs) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        String ready = "http://127.0.0.1:" + ops.get("API_ADMIN_PORT") + "/ready";
        String streamsReady = "http://127.0.0.1:" + ops.get("STREAMS_METRICS_PORT") + "/ready";
        while (!(answer(ready).startsWith("200") && answer(streamsReady).startsWith("200"))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("services not ready within " + READY_TIMEOUT.toSeconds() + " s: api "
                        + answer(ready) + "; streams " + answer(streamsReady) + "; see " + logs);
            }
            services.values().stream().filter(s -> !s.alive()).findAny().ifPresent(s -> {
                throw new IllegalStateException(s.command() + " exited at start; see " + logs);
            });
            pause(Duration.ofSeconds(1));
        }
        OpsResult created = ServiceProcess.runCommand(ops, logs, "keys", "create", "--name", "chaos", "--scopes",
                "admin", "--json");
        if (created.exit() != 0) {
            throw new IllegalStateException("filetrail keys create failed: " + created);
        }
        return Json.read(created.out(), JsonNode.class).path("plaintext").asText();
    }

    private Map<String, Long> parked(Map<String, String> ops, Path logs, List<String> problems) {
        Map<String, Long> parked = new TreeMap<>();
        OpsResult dlq = ServiceProcess.runCommand(ops, logs, "dlq", "list", "--json");
        if (dlq.exit() == 0) {
            Json.read(dlq.out(), JsonNode.class).path("sources")
                    .forEach(s -> parked.put(s.path("source").asText(), s.path("count").asLong()));
        } else {
            problems.add("filetrail dlq list failed: " + dlq);
        }
        OpsResult rejects = ServiceProcess.runCommand(ops, logs, "rejects", "list", "--json");
        if (rejects.exit() == 0) {
            parked.put("projector", Json.read(rejects.out(), JsonNode.class).path("count").asLong());
        } else {
            problems.add("filetrail rejects list failed: " + rejects);
        }
        parked.forEach((where, n) -> {
            if (n > 0) {
                problems.add(n + " parked in " + where + " though every input was valid");
            }
        });
        return parked;
    }

    private static long reconcile(Map<String, String> ops, Path logs, String bucket, List<String> problems) {
        OpsResult result = ServiceProcess.runCommand(ops, logs, "reconcile", "--bucket", bucket, "--json");
        if (result.exit() != 0 && result.exit() != 3) {
            problems.add("filetrail reconcile failed: " + result);
            return -1;
        }
        long differences = Json.read(result.out(), JsonNode.class).path("differenceCount").asLong();
        if (differences > 0) {
            problems.add("filetrail reconcile reports " + differences + " differences: " + result.out());
        }
        return differences;
    }

    /** The API's history of each key against S3's ListObjectVersions and the order the generator made them in. */
    private final class Check {
        private final Endpoints endpoints;
        private final String apiKey;
        private final List<String> problems;
        long versions;
        long lost;
        long doubled;
        long misordered;
        long wrongCurrent;

        Check(Endpoints endpoints, String apiKey, List<String> problems) {
            this.endpoints = endpoints;
            this.apiKey = apiKey;
            this.problems = problems;
        }

        void key(S3Client s3, String key, List<Generator.Made> made) {
            ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(endpoints.sourceBucket())
                    .prefix(key));
            Set<String> s3Ids = new HashSet<>();
            Set<String> markers = new HashSet<>();
            String latest = null;
            boolean latestIsMarker = false;
            for (ObjectVersion v : listed.versions()) {
                if (v.key().equals(key)) {
                    s3Ids.add(v.versionId());
                    if (Boolean.TRUE.equals(v.isLatest())) {
                        latest = v.versionId();
                    }
                }
            }
            for (DeleteMarkerEntry m : listed.deleteMarkers()) {
                if (m.key().equals(key)) {
                    s3Ids.add(m.versionId());
                    markers.add(m.versionId());
                    if (Boolean.TRUE.equals(m.isLatest())) {
                        latest = m.versionId();
                        latestIsMarker = true;
                    }
                }
            }
            versions += s3Ids.size();
            List<String> expected = new ArrayList<>();
            made.stream().filter(m -> !m.removed()).forEach(m -> expected.add(m.versionId()));
            Collections.reverse(expected);
            if (!new HashSet<>(expected).equals(s3Ids)) {
                problems.add("generator and S3 disagree on " + key + ": made " + expected + ", S3 lists " + s3Ids);
            }
            List<JsonNode> history = history(key);
            List<String> shown = history.stream().map(v -> v.path("versionId").asText()).toList();
            long missing = s3Ids.stream().filter(id -> !shown.contains(id)).count();
            long extra = shown.size() - new HashSet<>(shown).size() + shown.stream().filter(id -> !s3Ids.contains(id))
                    .count();
            lost += missing;
            doubled += extra;
            boolean markersRight = history.stream().allMatch(v ->
                    v.path("deleteMarker").asBoolean() == markers.contains(v.path("versionId").asText()));
            if (missing > 0 || extra > 0) {
                problems.add(key + ": lost " + missing + ", doubled " + extra + "; S3 " + expected + ", API " + shown);
            } else if (!shown.equals(expected) || !markersRight) {
                misordered++;
                problems.add(key + ": history " + shown + " is not S3's order " + expected + " or has wrong markers");
            }
            boolean deleted = latest == null || latestIsMarker;
            JsonNode listing = get(endpoints.api() + "/v1/buckets/" + endpoints.sourceBucket() + "/files?limit=1000&prefix="
                    + URLEncoder.encode(key, StandardCharsets.UTF_8));
            boolean inListing = listing != null && listing.path("files").findValuesAsText("key").contains(key);
            JsonNode file = deleted ? null : get(filesRoute(key));
            String current = file == null ? null : file.path("currentVersionId").asText();
            if (deleted ? inListing : !inListing || !latest.equals(current)) {
                wrongCurrent++;
                problems.add(key + ": listed=" + inListing + " current=" + current + " where S3's latest is " + latest
                        + (latestIsMarker ? " (a delete marker)" : ""));
            }
        }

        private List<JsonNode> history(String key) {
            List<JsonNode> all = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = get(filesRoute(key) + "/versions?limit=1000"
                        + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
                if (page == null) {
                    return all;
                }
                page.path("versions").forEach(all::add);
                cursor = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
                        : page.path("nextCursor").asText();
            } while (cursor != null);
            return all;
        }

        private String filesRoute(String key) {
            return endpoints.api() + "/v1/buckets/" + endpoints.sourceBucket() + "/files/"
                    + ObjectPath.encodeSegment(key);
        }

        /** The JSON of a 200 answer, null for a 404; anything else is a problem. */
        private JsonNode get(String url) {
            HttpResponse<String> response = send(url, apiKey);
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return Json.read(response.body(), JsonNode.class);
        }
    }

    private String answer(String url) {
        try {
            HttpResponse<String> response = send(url, null);
            return response.statusCode() + " " + response.body();
        } catch (RuntimeException e) {
            return "no answer (" + e.getMessage() + ")";
        }
    }

    private HttpResponse<String> send(String url, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void say(String line) {
        out.println("chaos: " + line);
        out.flush();
        log.info("chaos {}", line);
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code when}, supervising the services every second meanwhile. */
    private void pauseUntil(Instant when) {
        long millis;
        while ((millis = Duration.between(Instant.now(), when).toMillis()) > 0) {
            pause(Duration.ofMillis(Math.min(millis, 1000)));
            supervise();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
