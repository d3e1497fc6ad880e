package dev.filetrail.api.rewind;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.access.AccessEvents;
import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import dev.filetrail.api.restore.S3VersionActions;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.history.FileVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;

/**
 * Rewinds against the real S3 stand-in (s3proxy), PostgreSQL and Kafka: after uploads, overwrites and deletes under
 * a prefix, a rewind makes the prefix's current objects in S3 (ListObjectVersions, bytes by GetObject) those of the
 * instant; a job stopped, or abandoned between an S3 write and its record, and then resumed, does the same with no
 * action twice; a dry run changes nothing; the confirm bound, scope and prefix limits hold.
 */
@ExtendWith(RealParts.class)
class RewindTest {
    static ApiFixture f;
    static S3Client s3;
    static KafkaCluster kafka;
    static AccessEvents access;

    @BeforeAll
    static void start(KafkaCluster kafkaCluster, PostgresServer postgres, EmbeddedS3 embeddedS3) {
        kafka = kafkaCluster;
        f = new ApiFixture("rewind", kafka, postgres, embeddedS3, true, Duration.ofSeconds(10), 1000,
                Map.of("REWIND_CONFIRM_ABOVE", "3", "REWIND_REQUESTS_PER_SECOND", "200"));
        s3 = embeddedS3.client();
        access = new AccessEvents(f.config.kafka());
    }

    @AfterAll
    static void stop() {
        access.close();
        s3.close();
        f.close();
    }

    static FileVersion put(String key, String text) {
        return projected(f.feed.putVersion(key, text.getBytes(StandardCharsets.UTF_8), "text/plain"));
    }

    /**
     * Waits until the read model has the version in history and as the file's newest entry: the two come from two
     * topics, and the plan reads both (the as-of listing from history, the current state from the head).
     */
    static FileVersion projected(FileVersion version) {
        FileQueries queries = new FileQueries(f.api.dataSource());
        String[] history = new String[1];
        try {
            // Two minutes: a loaded CI run once took longer than 30 s here; the state below says why if it recurs.
            ApiFixture.await("version " + version.versionId() + " projected", Duration.ofMinutes(2), () -> {
                history[0] = f.get(f.filePath(version.key()) + "/versions", f.admin()).body();
                return history[0].contains("\"" + version.versionId() + "\"") && queries.file(f.bucket, version.key())
                        .map(h -> version.versionId().equals(h.latestVersionId())).orElse(false);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; key " + version.key() + " head "
                    + queries.file(f.bucket, version.key()) + ", history " + history[0] + ", projector lag "
                    + f.api.projector().lag() + ", retrying " + f.api.projector().retrying() + ", offsets "
                    + f.api.projector().committedOffsets(), e);
        }
        return version;
    }

    /** An instant strictly between what came before and what comes after (the read model keeps microseconds). */
    static Instant between() throws InterruptedException {
        Thread.sleep(5);
        Instant t = Instant.now();
        Thread.sleep(5);
        return t;
    }

    /** The prefix's current objects in S3 and their bytes: what ListObjectVersions marks latest, not a marker. */
    static Map<String, String> currentInS3(String prefix) {
        ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(prefix));
        Map<String, String> current = new TreeMap<>();
        listed.versions().stream().filter(v -> Boolean.TRUE.equals(v.isLatest())).forEach(v -> current.put(v.key(),
                s3.getObjectAsBytes(b -> b.bucket(f.bucket).key(v.key()).versionId(v.versionId())).asUtf8String()));
        return current;
    }

    static int versionCount(String prefix) {
        ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(prefix));
        return listed.versions().size() + listed.deleteMarkers().size();
    }

    static String body(String prefix, Instant to, String extra) {
        return "{\"prefix\":\"" + prefix + "\",\"to\":\"" + to + "\"" + extra + "}";
    }

    static String rewindsPath() {
        return "/v1/buckets/" + f.bucket + "/rewinds";
    }

    static JsonNode awaitState(String id, String state) {
        JsonNode[] last = new JsonNode[1];
        ApiFixture.await("rewind " + id + " " + state, () -> {
            last[0] = ApiFixture.json(f.get("/v1/rewinds/" + id, f.keys.get("write")));
            return state.equals(last[0].path("state").asText());
        });
        return last[0];
    }

    /** Tells the read model about what the rewind made in S3 (S3's notifications would, through the streams). */
    static void observe(String... keys) {
        for (String key : keys) {
            for (FileVersion v : f.feed.observe(key)) {
                projected(v);
            }
        }
    }

    @Test
    void aRewindMakesThePrefixAsItWasAndIsItselfUndoneByRewindingToBeforeIt() throws Exception {
        String p = "rw-main/";
        put(p + "a.txt", "a one");
        put(p + "b.txt", "b one");
        put(p + "c.txt", "c one");
        Instant t = between();
        Map<String, String> atT = currentInS3(p);
        put(p + "a.txt", "a two");
        projected(f.feed.deleteMarker(p + "b.txt"));
        put(p + "d.txt", "d new");
        Map<String, String> beforeRewind = currentInS3(p);
        assertThat(beforeRewind).isNotEqualTo(atT);
        int versionsBefore = versionCount(p);

        var dry = f.post(rewindsPath(), f.keys.get("write"), body(p, t, ",\"dryRun\":true"));
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        JsonNode plan = ApiFixture.json(dry);
        assertThat(plan.get("counts").get("restore").asLong()).isEqualTo(2);
        assertThat(plan.get("counts").get("delete").asLong()).isEqualTo(1);
        assertThat(plan.get("counts").get("keep").asLong()).isEqualTo(1);
        assertThat(plan.get("confirmNeeded").asBoolean()).isTrue();
        List<String> planned = new ArrayList<>();
        plan.get("actions").forEach(a -> planned.add(a.get("key").asText() + "=" + a.get("action").asText()));
        assertThat(planned).containsExactly(p + "a.txt=restore", p + "b.txt=restore", p + "c.txt=keep",
                p + "d.txt=delete");
        assertThat(versionCount(p)).as("a dry run changes nothing").isEqualTo(versionsBefore);

        var unconfirmed = f.post(rewindsPath(), f.keys.get("write"), body(p, t, ""));
        assertThat(unconfirmed.statusCode()).as(unconfirmed.body()).isEqualTo(409);
        assertThat(ApiFixture.json(unconfirmed).get("detail").asText()).contains("4 keys", "confirm");
        assertThat(versionCount(p)).isEqualTo(versionsBefore);

        Instant beforeIt = between();
        var started = f.post(rewindsPath(), f.keys.get("write"), body(p, t, ",\"confirm\":true"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = ApiFixture.json(started).get("id").asText();
        assertThat(started.headers().firstValue("Location")).contains("/v1/rewinds/" + id);
        JsonNode done = awaitState(id, "finished");
        assertThat(done.get("actions").get("done").asLong()).isEqualTo(3);
        assertThat(done.get("actions").get("skipped").asLong()).isEqualTo(1);
        assertThat(done.get("actions").get("failed").asLong()).isZero();

        assertThat(currentInS3(p)).isEqualTo(atT);
        assertThat(versionCount(p)).as("two copies and one delete marker").isEqualTo(versionsBefore + 3);
        var restoredHead = s3.headObject(b -> b.bucket(f.bucket).key(p + "a.txt"));
        assertThat(restoredHead.metadata()).containsEntry(RewindRunner.REWIND_MARK, id)
                .containsKey(S3VersionActions.RESTORED_FROM);
        AccessEvent audit = accessEvent(e -> e.type() == AccessEvent.Type.FILE_RESTORED
                && (p + "a.txt").equals(e.key()) && restoredHead.versionId().equals(e.versionId()));
        assertThat(audit.actor()).startsWith("key:");
        assertThat(audit.rewind().id()).isEqualTo(id);

        // Audited: one start with the plan, one finish with the outcome, one event per restore and per delete, none
        // for the key kept.
        List<AccessEvent> events = jobEvents(id, 3);
        assertThat(events).extracting(AccessEvent::eventId).doesNotHaveDuplicates();
        AccessEvent start = only(events, AccessEvent.Type.REWIND_STARTED);
        assertThat(start.key()).isEqualTo(p);
        assertThat(start.bucket()).isEqualTo(f.bucket);
        assertThat(start.actor()).isEqualTo(audit.actor());
        assertThat(start.rewind().prefix()).isEqualTo(p);
        assertThat(start.rewind().to()).isEqualTo(t);
        assertThat(start.rewind().planned()).containsExactlyInAnyOrderEntriesOf(Map.of("restore", 2L, "delete", 1L,
                "keep", 1L));
        AccessEvent end = only(events, AccessEvent.Type.REWIND_FINISHED);
        assertThat(end.rewind().actions()).containsEntry("done", 3L).containsEntry("skipped", 1L)
                .containsEntry("failed", 0L);
        assertThat(events).filteredOn(e -> e.type() == AccessEvent.Type.FILE_RESTORED)
                .extracting(AccessEvent::key).containsExactlyInAnyOrder(p + "a.txt", p + "b.txt");
        AccessEvent deleted = only(events, AccessEvent.Type.FILE_DELETED);
        assertThat(deleted.key()).isEqualTo(p + "d.txt");
        String marker = s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(p + "d.txt")).deleteMarkers().stream()
                .filter(m -> Boolean.TRUE.equals(m.isLatest())).findFirst().orElseThrow().versionId();
        assertThat(deleted.versionId()).as("the marker the rewind placed").isEqualTo(marker);
        assertThat(events).extracting(AccessEvent::key).doesNotContain(p + "c.txt");
        assertThat(events).hasSize(5);

        // Undo: once the read model has heard of the rewind's versions, rewinding to the moment before it.
        observe(p + "a.txt", p + "b.txt", p + "d.txt");
        var undo = f.post(rewindsPath(), f.keys.get("write"), body(p, beforeIt, ",\"confirm\":true"));
        assertThat(undo.statusCode()).as(undo.body()).isEqualTo(202);
        awaitState(ApiFixture.json(undo).get("id").asText(), "finished");
        assertThat(currentInS3(p)).isEqualTo(beforeRewind);

        var finishedStop = f.post("/v1/rewinds/" + id + "/stop", f.keys.get("write"), "{}");
        assertThat(finishedStop.statusCode()).as(finishedStop.body()).isEqualTo(409);
        assertThat(f.post("/v1/rewinds/" + id + "/resume", f.keys.get("write"), "{}").statusCode()).isEqualTo(409);
        assertThat(f.get("/v1/rewinds/rw_nope", f.keys.get("write")).statusCode()).isEqualTo(404);
    }

    @Test
    void aJobStoppedMidWayAndOneAbandonedBetweenAnS3WriteAndItsRecordResumeWithNoActionTwice() throws Exception {
        String p = "rw-resume/";
        for (int i = 0; i < 6; i++) {
            put(p + "k" + i + ".txt", "first " + i);
        }
        Instant t = between();
        Map<String, String> atT = currentInS3(p);
        for (int i = 0; i < 6; i++) {
            put(p + "k" + i + ".txt", "second " + i);
        }
        put(p + "later.txt", "not there at t");
        int versionsBefore = versionCount(p);

        // A runner stopped after its second write, and one abandoned (as if killed) after the fourth, before the
        // fourth's record: the database still says "started" for it, while S3 already has the copy.
        AtomicInteger writes = new AtomicInteger();
        RewindJobs[] jobs = new RewindJobs[1];
        String[] id = new String[1];
        RewindRunner.Hook hook = (runner, action) -> {
            int n = writes.incrementAndGet();
            if (n == 2) {
                jobs[0].stop(runner.jobId(), "key:stopper");
            } else if (n == 4) {
                runner.abandon();
            }
        };
        RewindStore store = new RewindStore(f.api.dataSource());
        S3VersionActions actions = new S3VersionActions(s3, 5L << 20, 5L << 20);
        jobs[0] = new RewindJobs(new RewindPlanner(new FileQueries(f.api.dataSource())), store, actions, access,
                new RequestRate(1000), hook, new SimpleMeterRegistry());
        try {
            RewindPlan plan = jobs[0].plan(f.bucket, p, t);
            assertThat(plan.counts()).isEqualTo(new RewindPlan.Counts(6, 1, 0));
            id[0] = jobs[0].start(plan, "key:test");
            jobs[0].awaitIdle(id[0]);
            assertThat(store.job(id[0]).orElseThrow().state()).isEqualTo(RewindStore.STOPPED);
            assertThat(store.counts(id[0]).byState()).containsEntry("done", 2L).containsEntry("pending", 5L);
            assertThat(versionCount(p)).isEqualTo(versionsBefore + 2);

            // Resumed through the API's route: the API's own jobs run it on (with the hook of this test's jobs
            // gone, the abandon below needs this test's jobs again, so it is resumed here instead after a look).
            var stopped = ApiFixture.json(f.get("/v1/rewinds/" + id[0], f.keys.get("write")));
            assertThat(stopped.get("state").asText()).isEqualTo("stopped");
            assertThat(jobs[0].resume(id[0], "key:resumer")).isTrue();
            jobs[0].awaitIdle(id[0]);
            assertThat(store.job(id[0]).orElseThrow().state()).as("abandoned, still running in the database")
                    .isEqualTo(RewindStore.RUNNING);
            assertThat(store.counts(id[0]).byState()).containsEntry("done", 3L).containsEntry("started", 1L);
            assertThat(versionCount(p)).isEqualTo(versionsBefore + 4);
        } finally {
            jobs[0].close();
        }

        // Another runner (a restarted API) picks the job up: the started action is found done in S3, not redone.
        try (RewindJobs restarted = new RewindJobs(new RewindPlanner(new FileQueries(f.api.dataSource())), store,
                actions, access, new RequestRate(1000), RewindRunner.Hook.NONE, new SimpleMeterRegistry())) {
            // While another runner holds the job's lease (a second instance resuming it too), this one leaves it.
            try (RewindStore.Lease other = store.lease(id[0]).orElseThrow()) {
                assertThat(store.lease(id[0])).as("one lease at a time").isEmpty();
                assertThat(restarted.pickUp(id[0])).isTrue();
                restarted.awaitIdle(id[0]);
                assertThat(store.counts(id[0]).byState()).containsEntry("started", 1L).containsEntry("done", 3L);
            }
            assertThat(restarted.pickUp(id[0])).isTrue();
            restarted.awaitIdle(id[0]);
        }
        assertThat(store.job(id[0]).orElseThrow().state()).isEqualTo(RewindStore.FINISHED);
        assertThat(store.counts(id[0]).byState()).containsEntry("done", 7L).containsEntry("started", 0L)
                .containsEntry("failed", 0L);
        assertThat(currentInS3(p)).isEqualTo(atT);
        assertThat(versionCount(p)).as("six copies and one delete marker, none twice").isEqualTo(versionsBefore + 7);
        for (int i = 0; i < 6; i++) {
            String key = p + "k" + i + ".txt";
            long copies = s3.listObjectVersions(b -> b.bucket(f.bucket).prefix(key)).versions().stream()
                    .filter(v -> v.key().equals(key))
                    .map(v -> s3.headObject(b -> b.bucket(f.bucket).key(key).versionId(v.versionId())).metadata())
                    .filter(m -> id[0].equals(m.get(RewindRunner.REWIND_MARK))).count();
            assertThat(copies).as(key).isEqualTo(1);
        }
        // One event per action even across the stop and the abandon (a resend after a stop carries the same id).
        List<AccessEvent> events = jobEvents(id[0], 7);
        assertThat(only(events, AccessEvent.Type.REWIND_STOPPED).actor()).isEqualTo("key:stopper");
        // Stopped from within the second action, between its S3 write and its record: one done, one in flight.
        assertThat(only(events, AccessEvent.Type.REWIND_STOPPED).rewind().actions()).containsEntry("done", 1L)
                .containsEntry("started", 1L);
        assertThat(only(events, AccessEvent.Type.REWIND_RESUMED).actor()).isEqualTo("key:resumer");
        only(events, AccessEvent.Type.REWIND_STARTED);
        assertThat(only(events, AccessEvent.Type.REWIND_FINISHED).rewind().actions()).containsEntry("done", 7L);
        Map<String, Set<String>> idsByKey = new TreeMap<>();
        events.stream().filter(e -> !e.type().rewindJob()).forEach(e -> idsByKey
                .computeIfAbsent(e.key(), k -> new java.util.HashSet<>()).add(e.eventId()));
        assertThat(idsByKey).hasSize(7).allSatisfy((key, ids) -> assertThat(ids).as(key).hasSize(1));
        assertThat(idsByKey).containsKey(p + "later.txt");
    }

    /**
     * The access events of rewind {@code id}, once its start, its finish and {@code actions} distinct action
     * events are on the topic, read on to its end.
     */
    static List<AccessEvent> jobEvents(String id, int actions) {
        return dev.filetrail.api.AccessEventsTopic.all(kafka, e -> e.rewind() != null && id.equals(e.rewind().id()),
                found -> found.stream().anyMatch(e -> e.type() == AccessEvent.Type.REWIND_STARTED)
                        && found.stream().anyMatch(e -> e.type() == AccessEvent.Type.REWIND_FINISHED)
                        && found.stream().filter(e -> !e.type().rewindJob()).map(AccessEvent::key).distinct()
                        .count() >= actions);
    }

    /** The one event of {@code type} among {@code events}. */
    static AccessEvent only(List<AccessEvent> events, AccessEvent.Type type) {
        List<AccessEvent> ofType = events.stream().filter(e -> e.type() == type).toList();
        assertThat(ofType).as(type.name()).hasSize(1);
        return ofType.get(0);
    }

    @Test
    void scopesAndPrefixLimitsAndBadInputAreRefusedWithAProblem() throws Exception {
        String p = "rw-scoped/";
        put(p + "x.txt", "x");
        Instant t = between();
        for (String scope : List.of("read", "share")) {
            var r = f.post(rewindsPath(), f.keys.get(scope), body(p, t, ",\"dryRun\":true"));
            assertThat(r.statusCode()).as(scope).isEqualTo(403);
        }
        assertThat(f.post(rewindsPath(), null, body(p, t, "")).statusCode()).isEqualTo(401);
        String limited = f.api.apiKeys().create("rewind-limited", EnumSet.of(Scope.WRITE),
                new ApiKeys.Limits(Set.of(), p, null), false).plaintext();
        var outside = f.post(rewindsPath(), limited, body("rw-main/", t, ",\"dryRun\":true"));
        assertThat(outside.statusCode()).as(outside.body()).isEqualTo(403);
        assertThat(outside.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        var wider = f.post(rewindsPath(), limited, body("rw-", t, ",\"dryRun\":true"));
        assertThat(wider.statusCode()).as("a prefix above the key's own").isEqualTo(403);
        var inside = f.post(rewindsPath(), limited, body(p, t, ",\"dryRun\":true"));
        assertThat(inside.statusCode()).as(inside.body()).isEqualTo(200);

        for (String bad : List.of("{", "[]", "{\"prefix\":\"x/\"}", "{\"prefix\":\"x/\",\"to\":\"yesterday\"}",
                "{\"prefix\":\"x/\",\"to\":\"" + t + "\",\"dryRun\":\"yes\"}",
                "{\"prefix\":\"x/\",\"to\":\"" + t + "\",\"force\":true}",
                "{\"prefix\":\"x/\",\"to\":\"" + Instant.now().plusSeconds(3600) + "\"}")) {
            var r = f.post(rewindsPath(), f.keys.get("write"), bad);
            assertThat(r.statusCode()).as(bad + " → " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        var otherBucket = f.post("/v1/buckets/other-bucket/rewinds", f.keys.get("write"), body(p, t, ""));
        assertThat(otherBucket.statusCode()).as(otherBucket.body()).isEqualTo(400);
    }

    static AccessEvent accessEvent(java.util.function.Predicate<AccessEvent> wanted) {
        return dev.filetrail.api.AccessEventsTopic.first(kafka, wanted);
    }
}
