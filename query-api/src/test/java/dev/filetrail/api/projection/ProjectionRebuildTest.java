package dev.filetrail.api.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class ProjectionRebuildTest {

    @Test
    void rebuildsIntoAFreshSchemaWhileServingThenSwitches(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        try (ApiFixture f = new ApiFixture("rebuild", kafka, postgres, s3, false, Duration.ofSeconds(1), 1000)) {
            for (int i = 0; i < 20; i++) {
                f.feed.recordVersion("r.txt", i);
            }
            String history = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment("r.txt") + "/versions";
            ApiFixture.await("live projection", () -> versions(f, history) == 20);
            List<ProjectionRebuild.Progress> progress = new ArrayList<>();
            ProjectionRebuild rebuild = new ProjectionRebuild(f.config);

            ProjectionRebuild.Summary dry = rebuild.run(progress::add, true);
            assertThat(dry.dryRun()).isTrue();
            assertThat(dry.switched()).isFalse();
            assertThat(dry.records()).isGreaterThanOrEqualTo(60);

            // The live change feed as retention leaves it: r.txt's 8 oldest changes pruned, the next 6 projected long
            // ago. A rebuild projects all 20 anew; the switched feed must keep the live one's rows and ages.
            String positions = "SELECT topic_partition || ':' || record_offset FROM %s.changes WHERE bucket = '"
                    + f.bucket + "' AND key = 'r.txt'";
            List<String> offsets = names(f, positions + " ORDER BY record_offset", "filetrail");
            assertThat(offsets).hasSize(20);
            try (Connection c = f.api.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM filetrail.changes WHERE bucket = '" + f.bucket + "' AND key = 'r.txt'"
                        + " AND topic_partition || ':' || record_offset IN (" + quoted(offsets.subList(0, 8)) + ")");
                st.executeUpdate("UPDATE filetrail.changes SET projected_at = '2020-01-01T00:00:00Z' WHERE bucket = '"
                        + f.bucket + "' AND key = 'r.txt' AND topic_partition || ':' || record_offset IN ("
                        + quoted(offsets.subList(8, 14)) + ")");
            }

            ProjectionRebuild.Summary summary = rebuild.run(progress::add, false);
            assertThat(summary.switched()).isTrue();
            assertThat(summary.records()).isGreaterThanOrEqualTo(60);
            assertThat(summary.recordsPerSecond()).isPositive();
            assertThat(progress).isNotEmpty();
            try (Connection c = f.api.dataSource().getConnection();
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'filetrail%'")) {
                List<String> schemas = new ArrayList<>();
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
                assertThat(schemas).contains("filetrail", "filetrail_keys", summary.retiredSchema())
                        .doesNotContain(summary.rebuiltSchema());
            }
            // The indexes the rebuild deferred during its load are all back before the switch.
            assertThat(indexes(f, "filetrail")).contains("file_versions_history", "audit_events_time",
                    "share_links_file").isEqualTo(indexes(f, summary.retiredSchema()));
            // So are the triggers it turned off for the load, and file_keys was filled after it.
            assertThat(names(f, TRIGGERS_ON, "filetrail")).hasSize(3)
                    .isEqualTo(names(f, TRIGGERS_ON, summary.retiredSchema()));
            assertThat(names(f, "SELECT bucket || '/' || key FROM %s.file_keys ORDER BY 1", "filetrail")).isNotEmpty()
                    .isEqualTo(names(f, "SELECT bucket || '/' || key FROM %s.file_keys ORDER BY 1",
                            summary.retiredSchema()));
            assertThat(versions(f, history)).isEqualTo(20);
            // The rebuilt change feed kept what retention had left, with its ages; the newest changes are as projected.
            assertThat(names(f, positions + " ORDER BY record_offset", "filetrail")).isEqualTo(offsets.subList(8, 20));
            assertThat(names(f, positions + " AND projected_at = '2020-01-01T00:00:00Z' ORDER BY record_offset",
                    "filetrail")).isEqualTo(offsets.subList(8, 14));
            // The live projector carries on in the switched schema, without doubling what the rebuild wrote.
            for (int i = 0; i < 5; i++) {
                f.feed.recordVersion("r.txt", 100 + i);
            }
            ApiFixture.await("live projector writes the new schema", () -> versions(f, history) == 25);
            assertThat(f.get("/v1/ping", f.keys.get("read")).statusCode()).as("keys survive a rebuild").isEqualTo(200);
        }
    }

    private static final String TRIGGERS_ON = "SELECT t.tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
            + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = '%s' AND NOT t.tgisinternal"
            + " AND t.tgenabled <> 'D' ORDER BY t.tgname";

    private static List<String> names(ApiFixture f, String sql, String schema) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = f.api.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery(String.format(sql, schema))) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static String quoted(List<String> values) {
        return String.join(", ", values.stream().map(v -> "'" + v + "'").toList());
    }

    static List<String> indexes(ApiFixture f, String schema) throws Exception {
        return names(f, "SELECT indexname FROM pg_indexes WHERE schemaname = '%s' ORDER BY indexname", schema);
    }

    static int versions(ApiFixture f, String path) {
        var r = f.get(path + "?limit=1000", f.admin());
        if (r.statusCode() != 200) {
            return -1;
        }
        try {
            return Json.MAPPER.readTree(r.body()).get("versions").size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
