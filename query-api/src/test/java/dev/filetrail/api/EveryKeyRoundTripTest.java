package dev.filetrail.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.http.ObjectPath;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys drawn from jqwik's {@link S3Keys} generator (every plane, controls and U+0000, {@code + % / ?} and spaces,
 * keys of exactly 1024 bytes), plus the edge cases by hand, go through the projector into PostgreSQL and come back
 * unchanged through the file, history, audit and listing routes; listings keep UTF-8 byte order and prefixes, and
 * no two keys merge. jqwik's generator is sampled inside a JUnit test because the real parts are JUnit's
 * (RealParts); a failure names the key, JSON-escaped, to add to {@link #handPicked()}.
 */
@ExtendWith(RealParts.class)
class EveryKeyRoundTripTest {
    private static final Logger log = LoggerFactory.getLogger(EveryKeyRoundTripTest.class);
    private static final int GENERATED = 200;

    @Test
    void generatedKeysRoundTripThroughProjectorPostgresqlAndTheApi(KafkaCluster kafka, PostgresServer postgres,
                                                                    EmbeddedS3 s3) {
        Set<String> keys = new LinkedHashSet<>(handPicked());
        S3Keys.keys().sampleStream().limit(GENERATED).forEach(keys::add);
        log.info("key round trip keys={} generated={}", keys.size(), GENERATED);
        Random random = new Random();
        try (ApiFixture f = new ApiFixture("keys", kafka, postgres, s3, false, Duration.ofSeconds(1), 1000)) {
            Map<String, String> versions = new LinkedHashMap<>();
            for (String key : keys) {
                versions.put(key, f.feed.recordVersion(key, key.length()).versionId());
            }
            List<String> byteOrder = new ArrayList<>(keys);
            byteOrder.sort(S3Keys::compareUtf8);
            ApiFixture.await("every key projected", () -> listAll(f, "", 1000).size() == keys.size());

            assertThat(listAll(f, "", 37)).as("the whole listing, paged").containsExactlyElementsOf(byteOrder);
            int checked = 0;
            for (String key : keys) {
                String what = "key " + Json.writeString(key);
                JsonNode file = json(f.get(route(f, key, ""), f.admin()), what);
                assertThat(file.get("key").asText()).as(what).isEqualTo(key);
                assertThat(file.get("currentVersionId").asText()).as(what).isEqualTo(versions.get(key));

                JsonNode history = json(f.get(route(f, key, "/versions"), f.admin()), what);
                assertThat(history.get("key").asText()).as(what).isEqualTo(key);
                assertThat(history.get("versions")).as(what).hasSize(1);
                assertThat(history.get("versions").get(0).get("versionId").asText()).as(what)
                        .isEqualTo(versions.get(key));

                JsonNode audit = json(f.get("/v1/audit?bucket=" + f.bucket + "&key=" + query(key), f.admin()), what);
                assertThat(audit.get("events")).as(what).hasSize(1);
                assertThat(audit.get("events").get(0).get("data").get("key").asText()).as(what).isEqualTo(key);

                // A prefix of the key (cut anywhere before its first U+0000, which a prefix may not hold) lists it,
                // and lists only keys that start with that prefix, in byte order.
                if (checked++ % 4 == 0) {
                    String prefix = prefixOf(key, random);
                    List<String> listed = listAll(f, prefix, 1000);
                    List<String> expected = byteOrder.stream().filter(k -> k.startsWith(prefix)).toList();
                    assertThat(listed).as(what + ", prefix " + Json.writeString(prefix)).contains(key)
                            .containsExactlyElementsOf(expected);
                }
            }
        }
    }

    /** The cases a generator might take long to find. */
    static List<String> handPicked() {
        List<String> keys = new ArrayList<>(List.of("\u0000", "\u0001", "\u0002", "a\u0000", "a\u0000b", "a\u0001",
                "a\u0001\u0002", "a\u0001\u0001", "\u0000\u0001\u0000", "a", "a/", "a/b", "a b", "a+b", "a%2Bb", "a%b",
                "a?b=c&d", "../x", "./", "/", "//", "%00", "\\", "\t\n\r", "\u007f", "\u0085", "\u2028", "\ufeff",
                "\uffff", "😀", "x\ud83d\ude00y", "é", "e\u0301"));
        keys.add("\u0000".repeat(1024));
        keys.add("\u0001".repeat(1024));
        keys.add("😀".repeat(256));
        keys.add("é".repeat(512));
        keys.add("a".repeat(1023) + "\u0000");
        for (int plane = 0; plane <= 16; plane++) {
            keys.add("plane/" + plane + "/" + new String(Character.toChars(plane * 0x10000 + 0x4041)));
        }
        return keys;
    }

    private static String prefixOf(String key, Random random) {
        int nul = key.indexOf('\u0000');
        String allowed = nul < 0 ? key : key.substring(0, nul);
        int codePoints = allowed.codePointCount(0, allowed.length());
        return allowed.substring(0, allowed.offsetByCodePoints(0, random.nextInt(codePoints + 1)));
    }

    /** The key in the path, or as {@code ?key=} with the segment {@code ~} when a path cannot carry it. */
    static String route(ApiFixture f, String key, String suffix) {
        if (key.indexOf('\u0000') >= 0) {
            return "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.KEY_IN_QUERY + suffix + "?key=" + query(key);
        }
        return "/v1/buckets/" + f.bucket + "/files/" + ObjectPath.encodeSegment(key) + suffix;
    }

    static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static List<String> listAll(ApiFixture f, String prefix, int pageSize) {
        List<String> keys = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(f.get("/v1/buckets/" + f.bucket + "/files?limit=" + pageSize + "&prefix=" + query(prefix)
                    + (cursor == null ? "" : "&cursor=" + cursor), f.admin()), "listing " + Json.writeString(prefix));
            page.get("files").forEach(n -> keys.add(n.get("key").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        return keys;
    }

    static JsonNode json(HttpResponse<String> response, String what) {
        assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(200);
        return Json.read(response.body(), JsonNode.class);
    }
}
