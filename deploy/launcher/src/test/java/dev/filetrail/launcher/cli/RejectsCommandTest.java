package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.events.Json;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.share.ShareLink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code filetrail rejects list|show|retry} against a real projector, PostgreSQL and Kafka, in-process. */
@ExtendWith(RealParts.class)
class RejectsCommandTest {

    /** One command's outcome. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            return Json.read(out, JsonNode.class);
        }
    }

    @Test
    void listsShowsAndRetriesWhatTheProjectorParked(KafkaCluster kafka, PostgresServer postgres) throws Exception {
        String bucket = "cli-rejects-" + Long.toHexString(System.nanoTime());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", postgres.createDatabase("rejects_cli"));
        // The projector's own role: it reads the outputs and owns the projector's groups (the ops role may too).
        env.putAll(kafka.settings(KafkaRole.API).environment());
        env.put("PROJECTOR_GROUP_ID", KafkaRole.PROJECTOR_GROUP_PREFIX + "-rejects-cli-" + bucket);
        env.put("API_ADMIN_PORT", "0");
        try (ProjectorService service = new ProjectorService(ApiConfig.fromMap(env)).start();
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            execute(service, "ALTER TABLE files ADD CONSTRAINT quarantine CHECK (key NOT LIKE 'quarantine/%')");
            String headKey = bucket + "/quarantine/x";
            FileHead head = new FileHead(bucket, "quarantine/x", false, "v1", 1, 0, 3L, "\"e\"", "text/plain",
                    "STANDARD", Instant.now(), "v1");
            producer.send(new ProducerRecord<>(Topics.FILES.name(), headKey, Json.write(head))).get();
            Instant now = Instant.now();
            ShareLink link = new ShareLink("shl_" + Long.toHexString(System.nanoTime()), bucket, "quarantine/x",
                    "tok-" + bucket, null, "v1", ShareLink.Status.ACTIVE, null, Instant.parse("+300000-01-01T00:00:00Z"),
                    null, true, "key:test", now, null, null, 0, null, "cmd-1", now);
            producer.send(new ProducerRecord<>(Topics.SHARE_LINKS.name(), link.linkId(), Json.write(link))).get();

            Map<String, String> ids = new LinkedHashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ids.size() < 2) {
                assertThat(System.nanoTime()).as("both records parked").isLessThan(deadline);
                Run list = run(env, "rejects", "list", "--json");
                assertThat(list.exit()).as(list.err()).isZero();
                for (JsonNode r : list.json().get("rejects")) {
                    if (headKey.equals(r.path("recordKey").asText()) || link.linkId().equals(r.path("recordKey").asText())) {
                        ids.put(r.get("recordKey").asText(), r.get("id").asText());
                    }
                }
                Thread.sleep(200);
            }
            Run human = run(env, "rejects", "list");
            assertThat(human.out()).contains("rejected records", ids.get(headKey), "\"" + headKey + "\"", "23514");

            Run show = run(env, "rejects", "show", ids.get(link.linkId()));
            assertThat(show.exit()).isZero();
            assertThat(show.out()).contains("22008", link.linkId(), "+300000-01-01T00:00:00Z");
            assertThat(run(env, "rejects", "show", Topics.FILES.name() + ":0:999999999").exit()).isEqualTo(1);
            assertThat(run(env, "rejects", "show", "nonsense").exit()).isEqualTo(2);
            assertThat(run(env, "rejects", "retry").exit()).isEqualTo(2);

            Run dry = run(env, "rejects", "retry", "--all", "--dry-run", "--json");
            assertThat(dry.exit()).as(dry.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            assertThat(dry.json().get("dryRun").asBoolean()).isTrue();

            execute(service, "ALTER TABLE files DROP CONSTRAINT quarantine");
            Run retry = run(env, "rejects", "retry", ids.get(headKey), ids.get(link.linkId()), "--json");
            assertThat(retry.exit()).as(retry.err()).isEqualTo(FiletrailCommand.FOUND_DIFFERENCES);
            List<String> outcomes = new ArrayList<>();
            retry.json().get("rejects").forEach(r -> outcomes.add(r.get("outcome").asText()));
            assertThat(outcomes).containsExactly("APPLIED", "STILL_REJECTED");
            assertThat(run(env, "rejects", "retry", ids.get(headKey)).exit()).as("an applied reject has left")
                    .isEqualTo(1);
            Run after = run(env, "rejects", "show", ids.get(link.linkId()), "--json");
            assertThat(after.json().get("reject").get("retries").asInt()).isEqualTo(1);
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Stands in for the streams, which write the topics the projector reads. */
    private static KafkaProducer<String, byte[]> producer(KafkaCluster kafka) {
        return kafka.settings(KafkaRole.STREAMS).newProducer(Map.of(), new StringSerializer(), new ByteArraySerializer());
    }

    private static void execute(ProjectorService service, String sql) throws Exception {
        try (Connection c = service.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
