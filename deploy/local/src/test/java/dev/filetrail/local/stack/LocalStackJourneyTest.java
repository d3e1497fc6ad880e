package dev.filetrail.local.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * One file's journey through every real part: PutObject on S3 → S3 notification → SNS → SQS → bridge → Kafka →
 * streams → projector → PostgreSQL → history API, checked against S3's own ListObjectVersions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalStackJourneyTest {
    @TempDir
    static Path output;
    private LocalStack stack;
    private ApiClient api;

    @BeforeAll
    void start() {
        stack = LocalStack.start(LocalStackConfig.ephemeral(output));
        api = new ApiClient(stack.endpoints().api(), stack.endpoints().adminApiKey());
        // One read-model shard (LOCAL_READ_MODEL_SHARDS unset): the stack's own database.
        org.assertj.core.api.Assertions.assertThat(stack.endpoints().postgresShards())
                .containsExactly(stack.endpoints().postgres());
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void twoPutsAndADeleteShowAsThreeEntriesNewestFirstMatchingListObjectVersions() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String key = "journey/Quarterly report+final 100% ü.txt";
        String v1;
        String v2;
        String marker;
        ListObjectVersionsResponse listed;
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            v1 = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("draft")).versionId();
            v2 = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("final draft")).versionId();
            marker = s3.deleteObject(b -> b.bucket(bucket).key(key)).versionId();
            listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
        }

        JsonNode history = api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").size() >= 3,
                Duration.ofSeconds(60));

        List<String> versionIds = new ArrayList<>();
        List<Boolean> markers = new ArrayList<>();
        history.path("versions").forEach(v -> {
            versionIds.add(v.path("versionId").asText());
            markers.add(v.path("deleteMarker").asBoolean());
        });
        assertThat(versionIds).containsExactly(marker, v2, v1);
        assertThat(markers).containsExactly(true, false, false);
        assertThat(history.path("versions").path(1).path("size").asLong()).isEqualTo("final draft".length());

        // S3's own answer: the same ids, with the same one (the marker) latest.
        List<String> s3Ids = Stream.concat(
                        listed.versions().stream().map(ObjectVersion::versionId),
                        listed.deleteMarkers().stream().map(DeleteMarkerEntry::versionId))
                .toList();
        assertThat(versionIds).containsExactlyInAnyOrderElementsOf(s3Ids);
        assertThat(listed.deleteMarkers()).filteredOn(DeleteMarkerEntry::isLatest)
                .extracting(DeleteMarkerEntry::versionId).containsExactly(versionIds.get(0));
        assertThat(listed.versions().stream().sorted(Comparator.comparing(ObjectVersion::lastModified).reversed())
                .map(ObjectVersion::versionId)).containsExactly(v2, v1);
    }

    /**
     * Restore through the API on the whole stack: S3 holds a new version with the old bytes (ListObjectVersions,
     * GetObject), its notification brings it into history, and the metadata Lambda's reading of the object's
     * metadata makes its entry say where it came from; the audit trail names the key that asked.
     */
    @Test
    void restoringAVersionMakesANewVersionWithItsBytesThatHistoryKnowsAsRestored() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String key = "journey/restore me ü+.txt";
        String v1;
        String v2;
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            v1 = s3.putObject(b -> b.bucket(bucket).key(key).contentType("text/plain"),
                    RequestBody.fromString("the first words")).versionId();
            v2 = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("the second words")).versionId();
        }
        api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").size() >= 2, Duration.ofSeconds(60));

        String restorePath = Demo.filePath(bucket, key) + "/versions/" + v1 + "/restore";
        var response = api.post(restorePath, "journey-restore-1");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        String restored = dev.filetrail.events.Json.read(response.body(), JsonNode.class).path("versionId").asText();
        var repeat = api.post(restorePath, "journey-restore-1");
        assertThat(repeat.body()).isEqualTo(response.body());

        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
            assertThat(listed.versions()).extracting(ObjectVersion::versionId)
                    .containsExactlyInAnyOrder(restored, v2, v1);
            assertThat(listed.versions()).filteredOn(ObjectVersion::isLatest).extracting(ObjectVersion::versionId)
                    .containsExactly(restored);
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                    .isEqualTo("the first words");
        }
        JsonNode history = api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").size() >= 3
                && body.path("versions").path(0).hasNonNull("restoredFrom"), Duration.ofSeconds(90));
        assertThat(history.path("versions").path(0).path("versionId").asText()).isEqualTo(restored);
        assertThat(history.path("versions").path(0).path("restoredFrom").asText()).isEqualTo(v1);
        assertThat(history.path("versions").path(1).path("restoredFrom").isMissingNode()
                || history.path("versions").path(1).path("restoredFrom").isNull()).isTrue();
        JsonNode audit = api.await("/v1/audit?type=dev.filetrail.file.restored&bucket=" + bucket,
                body -> body.path("events").size() >= 1, Duration.ofSeconds(60));
        assertThat(audit.path("events").toString()).contains(restored).contains(v1).contains("\"actor\":\"key:");
    }

    /**
     * Tags on the whole stack: tags set at upload and by PutObjectTagging/DeleteObjectTagging (the AWS SDK against
     * the local S3) reach history through S3's tagging notifications, the metadata Lambda's GetObjectTagging and the
     * streams; the version's own timeline tells each change with its values.
     */
    @Test
    void tagsSetAtUploadAndByTaggingShowInHistoryAndTheVersionsTimeline() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String key = "journey/tagged report+ü.txt";
        String v1;
        String v2;
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            v1 = s3.putObject(b -> b.bucket(bucket).key(key).tagging("team=finance&stage=draft"),
                    RequestBody.fromString("one")).versionId();
            v2 = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("two")).versionId();
        }
        JsonNode history = api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").size() >= 2
                && body.path("versions").path(1).path("tags").path("team").asText().equals("finance")
                && body.path("versions").path(0).path("tags").isObject(), Duration.ofSeconds(90));
        assertThat(history.path("versions").path(1).path("versionId").asText()).isEqualTo(v1);
        assertThat(history.path("versions").path(0).path("tags").size()).as("v2 has none: {}").isZero();

        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            s3.putObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1).tagging(t -> t.tagSet(
                    software.amazon.awssdk.services.s3.model.Tag.builder().key("stage").value("final").build(),
                    software.amazon.awssdk.services.s3.model.Tag.builder().key("owner").value("Ada L.").build())));
            s3.deleteObjectTagging(b -> b.bucket(bucket).key(key).versionId(v2));
        }
        history = api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").path(1).path("tags")
                .path("stage").asText().equals("final"), Duration.ofSeconds(90));
        JsonNode tags = history.path("versions").path(1).path("tags");
        assertThat(tags.path("owner").asText()).isEqualTo("Ada L.");
        assertThat(tags.has("team")).as("PutObjectTagging replaces the set").isFalse();
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1)).tagSet()).hasSize(2);
        }

        String timeline = Demo.filePath(bucket, key) + "/versions/" + v1 + "/events";
        JsonNode events = api.await(timeline, body -> body.path("events").toString().contains("\"final\""),
                Duration.ofSeconds(60));
        List<String> types = new ArrayList<>();
        events.path("events").forEach(e -> types.add(e.path("type").asText()));
        assertThat(types.get(0)).isEqualTo("created");
        assertThat(types).contains("derivatives-attached", "tags-changed");
        JsonNode lastTags = null;
        for (JsonNode e : events.path("events")) {
            if (e.path("type").asText().equals("tags-changed") && e.has("tags")) {
                lastTags = e.path("tags");
            }
        }
        assertThat(lastTags).isNotNull();
        assertThat(lastTags.path("stage").asText()).isEqualTo("final");
    }

    /** Undelete on the whole stack: S3 loses the marker, the previous version is current again, history follows. */
    @Test
    void undeleteRemovesTheDeleteMarkerInS3AndTheFileIsBack() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String key = "journey/undelete me.txt";
        String v1;
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            v1 = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("still here")).versionId();
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
        api.await(Demo.filePath(bucket, key), body -> body.path("deleted").asBoolean(), Duration.ofSeconds(60));

        var response = api.post(Demo.filePath(bucket, key) + "/undelete", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(key));
            assertThat(listed.deleteMarkers()).isEmpty();
            assertThat(listed.versions()).singleElement().satisfies(v -> {
                assertThat(v.versionId()).isEqualTo(v1);
                assertThat(v.isLatest()).isTrue();
            });
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo("still here");
        }
        JsonNode file = api.await(Demo.filePath(bucket, key), body -> !body.path("deleted").asBoolean(),
                Duration.ofSeconds(60));
        assertThat(file.path("currentVersionId").asText()).isEqualTo(v1);
        var again = api.post(Demo.filePath(bucket, key) + "/undelete", null);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    }

    @Test
    void uploadedImagesGetThumbnailsFromTheLambdas() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String key = "journey/photo.png";
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType("image/png"), RequestBody.fromBytes(Demo.samplePng()));
        }
        JsonNode file = api.await(Demo.filePath(bucket, key), body -> !Demo.thumbnails(body).isEmpty(),
                Duration.ofSeconds(90));
        assertThat(Demo.thumbnails(file)).extracting(t -> t.path("size").asInt()).contains(64, 256, 1024);
        assertThat(file.toString()).contains("image/png");
    }

    /**
     * The broker as seen from outside the JVM with Debian's kcat and the credentials endpoints.json hands out: no
     * login gets nothing; the audit reader reads the audit topic and is refused the files topic; the api user may not
     * produce object events.
     */
    @Test
    void kcatFromOutsideTheJvmIsHeldToTheRolesInEndpointsJson() throws Exception {
        Endpoints endpoints = Endpoints.read(output.resolve("endpoints.json"));
        assertThat(endpoints.kafkaSecurity().protocol()).isEqualTo("SASL_PLAINTEXT");
        assertThat(endpoints.kafkaSecurity().mechanism()).isEqualTo("SCRAM-SHA-512");
        assertThat(endpoints.kafkaSecurity().alsoAccepted()).containsExactly("PLAIN");
        assertThat(endpoints.kafkaSecurity().users()).containsOnlyKeys("bridge", "streams", "api", "ops", "audit-reader",
                "journal");
        String broker = endpoints.kafka();
        String bucket = endpoints.sourceBucket();
        String key = "journey/audited-" + System.nanoTime() + ".txt";
        try (S3Client s3 = Demo.s3Client(endpoints)) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("audited"));
        }
        api.await(Demo.versionsPath(bucket, key), body -> body.path("versions").size() >= 1, Duration.ofSeconds(60));

        Kcat.Result anonymousList = Kcat.run(List.of("-b", broker, "-L", "-m", "5"), "", Duration.ofSeconds(30));
        assertThat(anonymousList.exit()).as(anonymousList.toString()).isNotZero();
        assertThat(anonymousList.out()).as(anonymousList.toString()).doesNotContain("filetrail.");
        for (String topic : dev.filetrail.events.Topics.ALL) {
            Kcat.Result anonymous = Kcat.run(List.of("-b", broker, "-C", "-t", topic, "-o", "beginning", "-e",
                    "-q", "-m", "5"), "", Duration.ofSeconds(10));
            assertThat(anonymous.exit()).as(topic + " " + anonymous).isNotZero();
            assertThat(anonymous.out()).as(topic + " " + anonymous).isEmpty();
        }

        List<String> auditor = Kcat.login(endpoints, "audit-reader");
        Kcat.Result audit = Kcat.run(concat(auditor, "-b", broker, "-C", "-t", "filetrail.audit.v1", "-o", "beginning",
                "-e", "-q"), "", Duration.ofSeconds(60));
        assertThat(audit.exit()).as(audit.toString()).isZero();
        assertThat(audit.out()).as(audit.toString()).contains(key);

        Kcat.Result files = Kcat.run(concat(auditor, "-b", broker, "-C", "-t", "filetrail.files.v1", "-o", "beginning",
                "-e", "-q"), "", Duration.ofSeconds(30));
        assertThat(files.exit()).as(files.toString()).isNotZero();
        assertThat(files.out()).as(files.toString()).doesNotContain(key);
        assertThat(files.err()).as(files.toString()).containsIgnoringCase("authorization failed");

        Kcat.Result produce = Kcat.run(concat(Kcat.login(endpoints, "api"), "-b", broker, "-P", "-t",
                "filetrail.object-events.v1", "-k", bucket + "/forged"), "{\"forged\":true}\n", Duration.ofSeconds(30));
        assertThat(produce.exit()).as(produce.toString()).isNotZero();
        assertThat(produce.err()).as(produce.toString()).containsIgnoringCase("authorization failed");
    }

    private static List<String> concat(List<String> login, String... args) {
        List<String> all = new ArrayList<>(login);
        all.addAll(List.of(args));
        return all;
    }

    /**
     * Issue 22's browser check on the whole stack: a headless Chromium {@code EventSource} on the API's origin,
     * logged in with a stream ticket, receives the change of a PutObject made on S3 itself — notification, SNS, SQS,
     * bridge, Kafka, streams, projector, PostgreSQL's commit notice. The time from the PutObject's return to the
     * page's receipt is printed, not asserted (tests carry no wall-clock limits).
     */
    @Test
    void aBrowsersEventSourceReceivesAnUploadMadeOnS3() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String prefix = "browser/";
        String base = "/v1/buckets/" + bucket + "/changes";
        String cursor = dev.filetrail.events.Json.read(api.get(base + "/latest-cursor?prefix=" + prefix).body(),
                JsonNode.class).path("cursor").asText();
        JsonNode ticket = dev.filetrail.events.Json.read(api.get(base + "/stream-ticket?prefix=" + prefix).body(),
                JsonNode.class);
        String streamUrl = ticket.path("streamPath").asText() + "?prefix=" + prefix + "&cursor="
                + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8) + "&ticket="
                + java.net.URLEncoder.encode(ticket.path("ticket").asText(), java.nio.charset.StandardCharsets.UTF_8);
        try (dev.filetrail.api.shares.Chromium chromium = new dev.filetrail.api.shares.Chromium()) {
            chromium.navigate(stack.endpoints().api() + "/health");
            chromium.waitFor("document.readyState", "complete"::equals);
            chromium.eval("window.received = []; window.opened = false; const es = new EventSource("
                    + dev.filetrail.events.Json.writeString(streamUrl) + "); es.onopen = () => { window.opened = true; };"
                    + " es.addEventListener('changes', e => window.received.push({at: Date.now(), data: e.data})); 'ok'");
            chromium.waitFor("String(window.opened)", "true"::equals);
            String versionId;
            long uploaded;
            try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
                versionId = s3.putObject(b -> b.bucket(bucket).key(prefix + "sunset.jpg").contentType("image/jpeg"),
                        RequestBody.fromBytes(Demo.samplePng())).versionId();
                uploaded = System.currentTimeMillis();
            }
            chromium.waitFor("String(window.received.length)", n -> !n.equals("0"));
            JsonNode event = dev.filetrail.events.Json.read(chromium.eval("JSON.stringify(window.received[0])"),
                    JsonNode.class);
            JsonNode change = dev.filetrail.events.Json.read(event.path("data").asText(), JsonNode.class)
                    .path("changes").path(0);
            assertThat(change.path("key").asText()).isEqualTo(prefix + "sunset.jpg");
            assertThat(change.path("versionId").asText()).isEqualTo(versionId);
            System.out.println("LocalStackJourneyTest putObjectToEventSourceMs=" + (event.path("at").asLong() - uploaded));
        }
    }

    /**
     * Point in time and rewind on the whole stack, against S3 itself: after uploads, an overwrite and a delete under
     * a prefix, the as-of listing at an instant names what ListObjectVersions implied then; {@code filetrail rewind}
     * (the CLI, through the API) makes the prefix's current objects, by their bytes, those of the instant, and the
     * restored version's history entry says where it came from.
     */
    @Test
    void filetrailRewindMakesAPrefixAsItWasAtAnInstant() throws Exception {
        String bucket = stack.endpoints().sourceBucket();
        String p = "rewind-e2e/";
        try (S3Client s3 = Demo.s3Client(stack.endpoints())) {
            s3.putObject(b -> b.bucket(bucket).key(p + "a.txt"), RequestBody.fromString("a one"));
            s3.putObject(b -> b.bucket(bucket).key(p + "b.txt"), RequestBody.fromString("b one"));
            api.await(Demo.versionsPath(bucket, p + "a.txt"), body -> body.path("versions").size() >= 1,
                    Duration.ofSeconds(60));
            api.await(Demo.versionsPath(bucket, p + "b.txt"), body -> body.path("versions").size() >= 1,
                    Duration.ofSeconds(60));
            Thread.sleep(1100);
            java.time.Instant t = java.time.Instant.now();
            Thread.sleep(1100);
            s3.putObject(b -> b.bucket(bucket).key(p + "a.txt"), RequestBody.fromString("a two"));
            s3.deleteObject(b -> b.bucket(bucket).key(p + "b.txt"));
            s3.putObject(b -> b.bucket(bucket).key(p + "c.txt"), RequestBody.fromString("c new"));
            api.await(Demo.versionsPath(bucket, p + "a.txt"), body -> body.path("versions").size() >= 2,
                    Duration.ofSeconds(60));
            api.await(Demo.versionsPath(bucket, p + "b.txt"), body -> body.path("versions").size() >= 2,
                    Duration.ofSeconds(60));
            api.await(Demo.versionsPath(bucket, p + "c.txt"), body -> body.path("versions").size() >= 1,
                    Duration.ofSeconds(60));

            JsonNode asOf = api.await("/v1/buckets/" + bucket + "/files?prefix=" + p + "&asOf=" + t,
                    body -> body.has("files"), Duration.ofSeconds(10));
            List<String> keysThen = new ArrayList<>();
            asOf.path("files").forEach(f -> keysThen.add(f.path("key").asText()));
            assertThat(keysThen).containsExactly(p + "a.txt", p + "b.txt");

            java.util.Map<String, String> env = new java.util.HashMap<>(stack.serviceEnvironment());
            env.put("FILETRAIL_API_URL", stack.endpoints().api());
            env.put("FILETRAIL_API_KEY", stack.endpoints().adminApiKey());
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int dry = dev.filetrail.launcher.cli.FiletrailCommand.run(env, new java.io.PrintWriter(out),
                    new java.io.PrintWriter(err), "rewind", "--bucket", bucket, "--prefix", p, "--to", t.toString(),
                    "--dry-run", "--no-progress");
            assertThat(dry).as(out + " " + err).isZero();
            assertThat(out.toString()).contains("restore 2", "delete 1", "keep 0");
            out.getBuffer().setLength(0);
            int code = dev.filetrail.launcher.cli.FiletrailCommand.run(env, new java.io.PrintWriter(out),
                    new java.io.PrintWriter(err), "rewind", "--bucket", bucket, "--prefix", p, "--to", t.toString(),
                    "--json", "--no-progress");
            assertThat(code).as(out + " " + err).isZero();
            JsonNode job = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
            assertThat(job.path("state").asText()).isEqualTo("finished");
            assertThat(job.path("actions").path("done").asLong()).isEqualTo(3);

            ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix(p));
            java.util.Map<String, String> current = new java.util.TreeMap<>();
            listed.versions().stream().filter(ObjectVersion::isLatest).forEach(v -> current.put(v.key(),
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId())).asUtf8String()));
            assertThat(current).containsExactly(java.util.Map.entry(p + "a.txt", "a one"),
                    java.util.Map.entry(p + "b.txt", "b one"));
            assertThat(listed.deleteMarkers()).filteredOn(DeleteMarkerEntry::isLatest)
                    .extracting(DeleteMarkerEntry::key).contains(p + "c.txt");
        }
        JsonNode history = api.await(Demo.versionsPath(bucket, p + "a.txt"),
                body -> body.path("versions").size() >= 3 && body.path("versions").path(0).hasNonNull("restoredFrom"),
                Duration.ofSeconds(60));
        assertThat(history.path("versions").path(0).path("restoredFrom").asText())
                .isEqualTo(history.path("versions").path(2).path("versionId").asText());
    }
}
