package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.S3Keys;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.events.Json;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.s3notify.S3Change;
import dev.filetrail.local.s3notify.S3EventJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every key S3 can hold, end to end on the whole local stack: keys drawn from jqwik's {@link S3Keys} generators
 * (every plane, controls and U+0000, {@code + % / ?} and spaces, 1024-byte keys, keys that are prefixes of each
 * other) plus hand-picked ones are written through S3 (PUT, a second PUT, DELETE) → notification → SNS → SQS →
 * bridge → streams → projector → API, and come back unchanged with exactly their own history. A key the local S3
 * cannot store (s3proxy's store refuses some) gets its notifications injected into SQS in S3's own JSON instead,
 * so the pipeline still sees it as S3 would send it. Keys S3 would refuse land in the bridge's dead letters with the
 * reason while the stack keeps serving. The generators are sampled inside a JUnit test because the stack is shared
 * per class; a failure names the key JSON-escaped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryKeyEndToEndTest {
    private static final Logger log = LoggerFactory.getLogger(EveryKeyEndToEndTest.class);
    private static final int GENERATED = 24;
    private static final int RELATED_PAIRS = 4;
    private static final Duration SETTLE = Duration.ofSeconds(120);
    // The other test's upload; listings leave it out so that the tests may run in either order.
    private static final String AFTER_REFUSED = "after/refused keys ";

    @TempDir
    static Path output;
    private LocalStack stack;
    private ApiClient api;
    private SqsClient sqs;
    private String bucket;
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1000);
    private final S3EventJson eventJson = new S3EventJson("us-east-1", "AWS:injected");

    /** One version as the API should show it. */
    record Expected(String versionId, boolean deleteMarker) {
    }

    @BeforeAll
    void start() {
        stack = LocalStack.start(LocalStackConfig.ephemeral(output));
        api = new ApiClient(stack.endpoints().api(), stack.endpoints().adminApiKey());
        sqs = Demo.sqsClient(stack.endpoints());
        bucket = stack.endpoints().sourceBucket();
    }

    @AfterAll
    void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyKeyComesBackUnchangedWithOnlyItsOwnHistory() throws Exception {
        Set<String> keys = new LinkedHashSet<>(handPicked());
        S3Keys.keys().sampleStream().limit(GENERATED).forEach(keys::add);
        S3Keys.relatedPairs().sampleStream().limit(RELATED_PAIRS).forEach(keys::addAll);
        Map<String, List<Expected>> expected = new LinkedHashMap<>();
        Set<String> stored = new LinkedHashSet<>();
        int index = 0;
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            for (String key : keys) {
                List<Expected> versions = new ArrayList<>();
                boolean inS3 = put(s3, key, versions, "first " + index);
                if (inS3) {
                    stored.add(key);
                }
                if (index % 3 == 0) {
                    write(s3, inS3, key, versions, "second " + index);
                }
                if (index % 5 == 1) {
                    delete(s3, inS3, key, versions);
                }
                expected.put(key, versions);
                index++;
            }
        }
        log.info("end-to-end keys total={} storedInS3={} injected={}", keys.size(), stored.size(),
                keys.size() - stored.size());

        for (Map.Entry<String, List<Expected>> entry : expected.entrySet()) {
            String key = entry.getKey();
            String what = "key " + Json.writeString(key);
            int count = entry.getValue().size();
            JsonNode history = api.await(route(key, "/versions"), body -> body.path("versions").size() >= count, SETTLE);
            assertThat(history.path("key").asText()).as(what).isEqualTo(key);
            List<Expected> shown = new ArrayList<>();
            history.path("versions").forEach(v -> shown.add(
                    new Expected(v.path("versionId").asText(), v.path("deleteMarker").asBoolean())));
            // Newest first: exactly this key's versions, nothing of any other key.
            List<Expected> newestFirst = new ArrayList<>(entry.getValue());
            Collections.reverse(newestFirst);
            assertThat(shown).as(what).containsExactlyElementsOf(newestFirst);
            Expected latest = entry.getValue().get(count - 1);
            if (!latest.deleteMarker()) {
                JsonNode file = json(api.get(route(key, "")), what);
                assertThat(file.path("key").asText()).as(what).isEqualTo(key);
                assertThat(file.path("currentVersionId").asText()).as(what).isEqualTo(latest.versionId());
            }
        }

        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            // s3proxy lists keys in XML without encoding-type=url, and XML 1.0 cannot carry most control characters:
            // those keys (and the keys whose listing would hold one) are checked against the version ids S3
            // answered the PUTs and DELETEs with instead.
            List<String> unsafe = stored.stream().filter(k -> !xmlSafe(k)).toList();
            for (String key : stored.stream().filter(k -> unsafe.stream().noneMatch(u -> u.startsWith(k))).toList()) {
                ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
                List<String> s3Ids = new ArrayList<>();
                listed.versions().stream().filter(v -> v.key().equals(key)).forEach(v -> s3Ids.add(v.versionId()));
                listed.deleteMarkers().stream().filter(m -> m.key().equals(key)).forEach(m -> s3Ids.add(m.versionId()));
                assertThat(expected.get(key)).as("S3's versions of " + Json.writeString(key))
                        .extracting(Expected::versionId).containsExactlyInAnyOrderElementsOf(s3Ids);
            }
        }

        List<String> current = expected.entrySet().stream()
                .filter(e -> !e.getValue().get(e.getValue().size() - 1).deleteMarker())
                .map(Map.Entry::getKey).sorted(S3Keys::compareUtf8).toList();
        assertThat(listAll("")).as("the whole listing").containsExactlyElementsOf(current);
        Random random = new Random(keys.size());
        for (String key : current) {
            String prefix = prefixOf(key, random);
            assertThat(listAll(prefix)).as("listing with prefix " + Json.writeString(prefix))
                    .containsExactlyElementsOf(current.stream().filter(k -> k.startsWith(prefix)).toList());
        }
    }

    @Test
    void keysS3WouldRefuseAreDeadLetteredWithTheReasonAndTheStackKeepsServing() throws Exception {
        String tooLong = notification("a".repeat(1025), "ObjectCreated:Put");
        String notUtf8 = notification("placeholder", "ObjectCreated:Put").replace("\"placeholder\"", "\"bad%FF%FEkey\"");
        String surrogate = notification("placeholder", "ObjectCreated:Put")
                .replace("\"placeholder\"", "\"half%ED%A0%80surrogate\"");
        String queue = stack.endpoints().ingestQueueUrl();
        for (String body : List.of(tooLong, notUtf8, surrogate)) {
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(body));
        }
        String after = AFTER_REFUSED + UUID.randomUUID();
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            s3.putObject(b -> b.bucket(bucket).key(after), RequestBody.fromString("still serving"));
        }
        api.await(route(after, "/versions"), body -> body.path("versions").size() == 1, SETTLE);

        Map<String, String> reasons = awaitDeadLetters(List.of(tooLong, notUtf8, surrogate));
        assertThat(reasons.get(tooLong)).contains("1025 bytes of UTF-8");
        assertThat(reasons.get(notUtf8)).contains("not UTF-8");
        assertThat(reasons.get(surrogate)).containsAnyOf("not UTF-8", "surrogate");
    }

    /** The bridge's dead letters (through {@code filetrail dlq}) whose raw body is one of {@code bodies}, by body. */
    private Map<String, String> awaitDeadLetters(List<String> bodies) throws Exception {
        Instant deadline = Instant.now().plus(SETTLE);
        Map<String, String> reasons = new LinkedHashMap<>();
        while (reasons.size() < bodies.size() && Instant.now().isBefore(deadline)) {
            JsonNode listing = Json.read(filetrail("dlq", "list", "--source", "ingest", "--json"), JsonNode.class);
            for (JsonNode letter : listing.path("letters")) {
                JsonNode shown = Json.read(filetrail("dlq", "show", letter.path("id").asText(), "--json"),
                        JsonNode.class);
                String raw = shown.path("rawBody").asText();
                if (bodies.contains(raw)) {
                    reasons.put(raw, shown.path("reason").asText());
                }
            }
            if (reasons.size() < bodies.size()) {
                Thread.sleep(500);
            }
        }
        assertThat(reasons).as("dead letters found").hasSize(bodies.size());
        return reasons;
    }

    private String filetrail(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(stack.serviceEnvironment(), new PrintWriter(out, true),
                new PrintWriter(err, true), args);
        assertThat(exit).as(String.join(" ", args) + ": " + err).isZero();
        return out.toString();
    }

    /** PUTs through S3; when the local S3 refuses the key, sends S3's notification for it to SQS instead. */
    private boolean put(S3Client s3, String key, List<Expected> versions, String body) {
        if (key.endsWith("/")) {
            // s3proxy's file store keeps such a key as an unversioned folder (versionId null), which S3 does not.
            inject(key, "ObjectCreated:Put", versions, false);
            return false;
        }
        try {
            String versionId = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body)).versionId();
            versions.add(new Expected(versionId, false));
            return true;
        } catch (RuntimeException e) {
            log.info("local S3 refused key={} reason={}; injecting its notification", Json.writeString(key),
                    e.getMessage());
            inject(key, "ObjectCreated:Put", versions, false);
            return false;
        }
    }

    private void write(S3Client s3, boolean inS3, String key, List<Expected> versions, String body) {
        if (inS3) {
            versions.add(new Expected(s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body))
                    .versionId(), false));
        } else {
            inject(key, "ObjectCreated:Put", versions, false);
        }
    }

    private void delete(S3Client s3, boolean inS3, String key, List<Expected> versions) {
        if (inS3) {
            versions.add(new Expected(s3.deleteObject(b -> b.bucket(bucket).key(key)).versionId(), true));
        } else {
            inject(key, "ObjectRemoved:DeleteMarkerCreated", versions, true);
        }
    }

    private void inject(String key, String eventName, List<Expected> versions, boolean marker) {
        String versionId = UUID.randomUUID().toString().replace("-", "");
        String body = eventJson.notification(change(key, eventName, versionId, marker), "injected");
        sqs.sendMessage(b -> b.queueUrl(stack.endpoints().ingestQueueUrl()).messageBody(body));
        versions.add(new Expected(versionId, marker));
    }

    private String notification(String key, String eventName) {
        return eventJson.notification(change(key, eventName, UUID.randomUUID().toString().replace("-", ""), false),
                "injected");
    }

    private S3Change change(String key, String eventName, String versionId, boolean marker) {
        String sequence = HexFormat.of().withUpperCase().toHexDigits(sequencer.incrementAndGet()) + "00";
        return new S3Change(eventName, bucket, key, versionId, marker ? null : 5L,
                marker ? null : "0123456789abcdef0123456789abcdef", sequence, Instant.now());
    }

    private static boolean xmlSafe(String key) {
        return key.codePoints().allMatch(c -> c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000);
    }

    private static List<String> handPicked() {
        List<String> keys = new ArrayList<>(List.of("\u0000", "a\u0000b", "\u0001", "a", "a/", "a/b", "a b", "a+b",
                "a%2Bb", "a%b", "a?b=c&d", "\t\n\r", "\u007f", "\u2028", "😀", "e\u0301"));
        keys.add("😀".repeat(256));
        keys.add("é".repeat(512));
        keys.add("a".repeat(1023) + "\u0000");
        StringBuilder planes = new StringBuilder("planes/");
        for (int plane = 0; plane <= 16; plane++) {
            planes.appendCodePoint(plane * 0x10000 + 0x4041);
        }
        keys.add(planes.toString());
        return keys;
    }

    /** The key in the path, or as {@code ?key=} with the segment {@code ~} when a path cannot carry U+0000. */
    private String route(String key, String suffix) {
        if (key.indexOf('\u0000') >= 0) {
            return "/v1/buckets/" + bucket + "/files/" + ObjectPath.KEY_IN_QUERY + suffix + "?key=" + query(key);
        }
        return "/v1/buckets/" + bucket + "/files/" + ObjectPath.encodeSegment(key) + suffix;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A prefix of the key cut before its first U+0000, which a listing prefix may not hold. */
    private static String prefixOf(String key, Random random) {
        int nul = key.indexOf('\u0000');
        String allowed = nul < 0 ? key : key.substring(0, nul);
        int codePoints = allowed.codePointCount(0, allowed.length());
        return allowed.substring(0, allowed.offsetByCodePoints(0, random.nextInt(codePoints + 1)));
    }

    private List<String> listAll(String prefix) throws Exception {
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(api.get("/v1/buckets/" + bucket + "/files?limit=1000&prefix=" + query(prefix)
                    + (cursor == null ? "" : "&cursor=" + query(cursor))), "listing " + Json.writeString(prefix));
            page.path("files").forEach(n -> listed.add(n.path("key").asText()));
            listed.removeIf(k -> k.startsWith(AFTER_REFUSED));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        return listed;
    }

    private static JsonNode json(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(200);
        return Json.read(response.body(), JsonNode.class);
    }
}
