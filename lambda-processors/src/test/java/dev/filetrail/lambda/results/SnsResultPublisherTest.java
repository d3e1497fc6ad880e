package dev.filetrail.lambda.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.lambda.config.AwsClients;
import dev.filetrail.lambda.config.LambdaConfig;
import dev.filetrail.lambda.source.SourceVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The real SnsClient against a loopback stand-in that speaks SNS's query protocol: what goes over the wire is
 * what the results topic receives (the end-to-end path through SNS is tested in deploy/local).
 */
class SnsResultPublisherTest {

    @Test
    void publishesTheResultJsonWithAttributesToTheTopic() throws IOException {
        ProcessingResult result = new Results(Clock.fixed(Instant.parse("2024-05-17T12:00:00Z"), ZoneOffset.UTC))
                .succeeded(ProcessingResult.THUMBNAILER,
                        new SourceVersion("b", "a b.jpg", "v1", 3L, "e", "01", "ObjectCreated:Put"),
                        new Results.Facts("image/jpeg", 4, 3, 3L, "abc"), null,
                        List.of(new Thumbnail(64, 64, 48, "image/jpeg", "d", "thumbnails/b/a%20b.jpg/v1/64.jpg", 99)));
        Map<String, String> request = publishedRequest(result);
        assertThat(request).containsEntry("Action", "Publish")
                .containsEntry("TopicArn", "arn:aws:sns:us-east-1:000000000000:filetrail-processing-results")
                .containsValues("processor", "schema", "status", "filetrail.processing-result.v1", "SUCCEEDED");
        assertThat(Json.read(request.get("Message"), ProcessingResult.class)).isEqualTo(result);
        assertThat(request.get("Message")).contains("\"schema\":\"filetrail.processing-result.v1\"");
    }

    /**
     * A key may hold characters SNS and SQS refuse in a message (U+FFFF, U+FFFE, controls): the message is ASCII,
     * with them escaped, and reads back to the same key. Found by the end-to-end key test, where ElasticMQ refused
     * the delivery and the result was lost.
     */
    @Test
    void aKeyWithCharactersQueuesRefuseIsPublishedAsAsciiThatReadsBackToTheSameKey() throws IOException {
        String key = "odd/\uFFFF\uFFFE\u0001\u2028é😀 \uD800\uDC00";
        ProcessingResult result = new Results(Clock.fixed(Instant.parse("2024-05-17T12:00:00Z"), ZoneOffset.UTC))
                .skipped(ProcessingResult.THUMBNAILER,
                        new SourceVersion("b", key, "v1", 3L, "e", "01", "ObjectCreated:Put"), "not an image", null);
        String message = publishedRequest(result).get("Message");
        assertThat(message.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(Json.read(message, ProcessingResult.class)).isEqualTo(result);
        assertThat(Json.read(message, ProcessingResult.class).key()).isEqualTo(key);
    }

    /** Publishes {@code result} with the real SnsClient to a loopback stand-in; returns the one request's form. */
    private static Map<String, String> publishedRequest(ProcessingResult result) throws IOException {
        List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(form(body));
            byte[] response = ("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
                    + "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata>"
                    + "<RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, response.length);
            exchange.getResponseBody().write(response);
            exchange.close();
        });
        server.start();
        try {
            LambdaConfig config = LambdaConfig.fromEnvironment(Map.of(
                    "SNS_ENDPOINT", "http://127.0.0.1:" + server.getAddress().getPort()));
            try (SnsClient sns = AwsClients.sns(config, ProcessingResult.THUMBNAILER)) {
                new SnsResultPublisher(sns, config.resultsTopicArn()).publish(result);
            }
            assertThat(requests).hasSize(1);
            return requests.get(0);
        } finally {
            server.stop(0);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
