package dev.filetrail.local.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/** What a test needs to call a running query API: GET and POST with the admin key, polling until an answer holds. */
public final class ApiClient {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String apiKey;

    public ApiClient(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST without a body (the write actions), with an optional {@code Idempotency-Key}. */
    public HttpResponse<String> post(String path, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey).POST(HttpRequest.BodyPublishers.noBody());
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls {@code path} until a 200 answer satisfies {@code ready}, for at most {@code timeout}. */
    public JsonNode await(String path, Predicate<JsonNode> ready, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String last = "(no answer)";
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = get(path);
            last = response.statusCode() + " " + response.body();
            if (response.statusCode() == 200) {
                JsonNode body = Json.read(response.body(), JsonNode.class);
                if (ready.test(body)) {
                    return body;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("GET " + path + " never satisfied the condition; last answer: " + last);
    }
}
