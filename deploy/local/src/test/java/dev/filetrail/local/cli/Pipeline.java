package dev.filetrail.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.replay.StreamsRebuild;
import dev.filetrail.events.kafka.KafkaClientSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/** Test access to a running local stack's pipeline: waiting until it is idle, and reading the read model by SQL. */
final class Pipeline implements AutoCloseable {
    private final LocalStack stack;
    private final Admin admin;
    private final HttpClient http = HttpClient.newHttpClient();

    Pipeline(LocalStack stack) {
        this.stack = stack;
        this.admin = KafkaClientSettings.fromEnvironment(stack.serviceEnvironment()).newAdmin();
    }

    /**
     * Waits until every produced input has been processed by the streams (lag 0), polled by the projector (its
     * readiness lag 0), and written to PostgreSQL (the read model stopped changing).
     */
    void awaitIdle(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String lastPrint = null;
        int stable = 0;
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            long streamsLag = StreamsRebuild.lag(admin, MetadataStreamsConfig.DEFAULT_APPLICATION_ID, StreamsRebuild.INPUTS);
            long projectorLag = projectorLag();
            String print = fingerprint();
            last = "streamsLag=" + streamsLag + " projectorLag=" + projectorLag + " readModel=" + print;
            if (streamsLag == 0 && projectorLag == 0 && print.equals(lastPrint)) {
                if (++stable >= 2) {
                    return;
                }
            } else {
                stable = 0;
            }
            lastPrint = print;
            Thread.sleep(300);
        }
        throw new AssertionError("the pipeline did not become idle: " + last);
    }

    private long projectorLag() throws Exception {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(stack.endpoints().apiAdmin() + "/ready"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode lag = Json.read(ready.body(), JsonNode.class).findValue("lag");
        return lag == null ? -1 : lag.asLong();
    }

    private String fingerprint() throws SQLException {
        return String.join("|", query("SELECT count(*), max(updated_at) FROM filetrail.file_versions").get(0),
                query("SELECT count(*), sum(version_count), sum(delete_marker_count) FROM filetrail.files").get(0),
                query("SELECT count(*) FROM filetrail.audit_events").get(0),
                query("SELECT coalesce(sum(next_offset), 0) FROM filetrail.projection_offsets").get(0));
    }

    /** Every row of {@code sql}, each as its columns joined by a tab. */
    List<String> query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(stack.endpoints().postgres(),
                stack.serviceEnvironment().get("DATABASE_USER"), stack.serviceEnvironment().get("DATABASE_PASSWORD"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(i > 1 ? "\t" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
            return rows;
        }
    }

    Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close();
    }
}
