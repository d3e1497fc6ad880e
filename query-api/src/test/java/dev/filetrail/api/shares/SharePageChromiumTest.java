package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.files.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.history.FileVersion;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class SharePageChromiumTest {

    @Test
    void aPersonOpensTheLinkEntersThePasswordAndDownloadsTheRightBytes(KafkaCluster kafka, PostgresServer postgres,
                                                                        EmbeddedS3 s3) throws Exception {
        try (ApiFixture f = new ApiFixture("chromium", kafka, postgres, s3, true, Duration.ofSeconds(10), 1000);
             Chromium chromium = new Chromium()) {
            String key = "reports/Q1 summary ünï+%.txt";
            String content = "the quarterly numbers, second draft";
            f.feed.putVersion(key, "first draft".getBytes(StandardCharsets.UTF_8), "text/plain");
            FileVersion second = f.feed.putVersion(key, content.getBytes(StandardCharsets.UTF_8), "text/plain");
            f.feed.attachThumbnail(key, second.versionId(), 64, png(64, 48));
            String filePath = "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key);
            ApiFixture.await("file projected", () -> f.get(filePath, f.admin()).body().contains("\"thumbnails\":[{"));

            var created = f.post("/v1/shares", f.keys.get("share"), "{\"bucket\":\"" + f.bucket + "\",\"key\":"
                    + Json.writeString(key) + ",\"password\":\"open sesame\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            String url = Json.MAPPER.readTree(created.body()).get("url").asText();

            chromium.navigate(url);
            chromium.waitFor("document.readyState === 'complete' && !!document.getElementById('password-form')",
                    "true"::equals);
            assertThat(chromium.eval("document.body.innerText")).doesNotContain("Download");
            chromium.eval("document.getElementById('password').value = 'open sesame';"
                    + " document.getElementById('password-form').requestSubmit(); 'sent'");
            chromium.waitFor("document.readyState === 'complete' && !!document.getElementById('download')",
                    "true"::equals);
            assertThat(chromium.eval("document.getElementById('name').innerText")).isEqualTo("Q1 summary ünï+%.txt");
            assertThat(chromium.eval("document.getElementById('size').innerText")).isEqualTo(content.length() + " bytes");
            assertThat(chromium.waitFor("document.getElementById('thumbnail').complete"
                    + " ? String(document.getElementById('thumbnail').naturalWidth > 0) : 'loading'", v -> !v.equals("loading")))
                    .as("thumbnail loaded through the edge").isEqualTo("true");
            String href = chromium.eval("document.getElementById('download').href");
            assertThat(href).startsWith(f.edge.url() + "/");

            chromium.eval("document.getElementById('download').click(); 'clicked'");
            String body = chromium.waitFor("location.href.startsWith('" + f.edge.url() + "') && document.body"
                    + " ? document.body.innerText : ''", v -> !v.isEmpty());
            assertThat(body.trim()).isEqualTo(content);

            chromium.navigate(url.replace("/s/", "/s/x"));
            chromium.waitFor("document.readyState === 'complete' && document.title", v -> v.startsWith("Link not found"));
        }
    }

    private static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
