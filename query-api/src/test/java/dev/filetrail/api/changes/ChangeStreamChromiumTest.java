package dev.filetrail.api.changes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.shares.Chromium;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A browser's {@code EventSource} (headless Debian Chromium over DevTools) on the API's origin, logged in with a
 * stream ticket, receives an upload's change: the upload goes to S3 and its records through Kafka and the projector
 * into PostgreSQL, whose commit notice wakes the stream. The time from the upload's return to the page's receipt is
 * printed (README, "Sync: the change feed"), not asserted: tests carry no wall-clock limits.
 */
@ExtendWith(RealParts.class)
class ChangeStreamChromiumTest {
    @Test
    void anEventSourceReceivesAnUploadsChange(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3)
            throws Exception {
        try (ApiFixture f = new ApiFixture("changes-browser", kafka, postgres, s3, false, Duration.ofSeconds(10), 1000);
             Chromium chromium = new Chromium()) {
            String prefix = "photos/";
            String base = "/v1/buckets/" + f.bucket + "/changes";
            String cursor = ApiFixture.json(f.get(base + "/latest-cursor?prefix=" + prefix, f.keys.get("read")))
                    .get("cursor").asText();
            JsonNode ticket = ApiFixture.json(f.get(base + "/stream-ticket?prefix=" + prefix, f.keys.get("read")));
            String streamUrl = ticket.get("streamPath").asText() + "?prefix=" + prefix + "&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8) + "&ticket="
                    + URLEncoder.encode(ticket.get("ticket").asText(), StandardCharsets.UTF_8);
            // Same origin as the API (its liveness page), so the EventSource needs no CORS.
            chromium.navigate(f.baseUrl() + "/health");
            chromium.waitFor("document.readyState", "complete"::equals);
            chromium.eval("window.received = []; window.opened = false; const es = new EventSource("
                    + Json.writeString(streamUrl) + "); es.onopen = () => { window.opened = true; };"
                    + " es.addEventListener('changes', e => window.received.push({at: Date.now(), data: e.data,"
                    + " id: e.lastEventId})); 'ok'");
            chromium.waitFor("String(window.opened)", "true"::equals);
            ApiFixture.await("the stream to be registered", () -> f.api.changeFeed().waits().waiting() == 1);
            // Measured on a projector that is level with the topics (it first reads what earlier tests left there).
            ApiFixture.await("the projector caught up", () -> f.api.projector().lag() == 0);

            long uploaded = System.currentTimeMillis();
            f.feed.putVersion(prefix + "cat.jpg", "not really a cat".getBytes(StandardCharsets.UTF_8), "image/jpeg");
            long published = System.currentTimeMillis();
            chromium.waitFor("String(window.received.length)", n -> !n.equals("0"));
            JsonNode event = Json.read(chromium.eval("JSON.stringify(window.received[0])"), JsonNode.class);
            JsonNode page = Json.read(event.get("data").asText(), JsonNode.class);
            assertThat(page.get("changes").get(0).get("key").asText()).isEqualTo(prefix + "cat.jpg");
            assertThat(page.get("changes").get(0).get("change").asText()).isEqualTo("VERSION_CREATED");
            assertThat(event.get("id").asText()).isEqualTo(page.get("cursor").asText());
            System.out.println("ChangeStreamChromiumTest uploadToEventSourceMs=" + (event.get("at").asLong() - uploaded)
                    + " publishedToEventSourceMs=" + (event.get("at").asLong() - published));
        }
    }
}
