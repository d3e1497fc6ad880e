package dev.filetrail.streams.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The availability zone an ECS task runs in, from the task metadata endpoint (v4) ECS gives every container. */
public final class TaskZone {
    private static final Logger log = LoggerFactory.getLogger(TaskZone.class);
    /** Set by the ECS agent in every container (Fargate and EC2); absent outside ECS. */
    public static final String METADATA_URI_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private TaskZone() {
    }

    /**
     * {@code AvailabilityZone} of {@code ${ECS_CONTAINER_METADATA_URI_V4}/task}, or empty outside ECS or when the
     * endpoint does not answer: an unknown zone only weakens standby placement, so it must not stop the service.
     */
    public static Optional<String> fromEnvironment(Map<String, String> env) {
        String base = env.get(METADATA_URI_VARIABLE);
        if (base == null || base.isBlank()) {
            return Optional.empty();
        }
        URI uri = URI.create(base.trim() + "/task");
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                log.warn("task metadata unavailable uri={} status={}; rack unknown", uri, response.statusCode());
                return Optional.empty();
            }
            JsonNode zone = Json.MAPPER.readTree(response.body()).path("AvailabilityZone");
            if (!zone.isTextual() || zone.asText().isBlank()) {
                log.warn("task metadata names no AvailabilityZone uri={}; rack unknown", uri);
                return Optional.empty();
            }
            return Optional.of(zone.asText());
        } catch (IOException e) {
            log.warn("task metadata unreadable uri={} error={}; rack unknown", uri, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
