package dev.filetrail.api.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.schema.ContractSchemas;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class SchemaRoutesTest {
    static ApiFixture f;

    @BeforeAll
    static void start(KafkaCluster kafka, PostgresServer postgres, EmbeddedS3 s3) {
        f = new ApiFixture("schemas", kafka, postgres, s3, false, Duration.ofSeconds(5), 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void everyPublishedSchemaIsListedAndServedWithoutAKeyAndCacheable() throws Exception {
        HttpResponse<String> index = f.get("/schemas", null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Cache-Control")).contains("public, max-age=3600");
        List<String> names = new ArrayList<>();
        for (JsonNode entry : Json.MAPPER.readTree(index.body()).get("schemas")) {
            names.add(entry.get("name").asText());
            assertThat(entry.get("url").asText()).isEqualTo(f.baseUrl() + "/schemas/" + entry.get("name").asText());
            HttpResponse<String> schema = f.get("/schemas/" + entry.get("name").asText(), null);
            assertThat(schema.statusCode()).as(entry.toString()).isEqualTo(200);
            assertThat(schema.headers().firstValue("Content-Type").orElse("")).startsWith(SchemaRoutes.MEDIA_TYPE);
            assertThat(schema.headers().firstValue("Cache-Control")).contains("public, max-age=3600");
            assertThat(Json.MAPPER.readTree(schema.body()).get("$id").asText()).isEqualTo(entry.get("id").asText());
        }
        assertThat(names).containsExactlyElementsOf(ContractSchemas.names());
    }

    /** What an audit consumer does with an event's dataschema: strip the prefix, fetch it from the API. */
    @Test
    void aDataschemaResolvesUnderSchemas() throws Exception {
        String dataschema = ContractSchemas.dataschema(AuditTypes.SHARE_OPENED);
        HttpResponse<String> schema = f.get("/schemas/" + dataschema.substring(ContractSchemas.ID_PREFIX.length()),
                null);
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(schema.body()).get("properties").has("accessCount")).isTrue();
    }

    @Test
    void anUnknownSchemaIsAProblemNotAFile() {
        for (String path : List.of("/schemas/topics/filetrail.nope.v1.json", "/schemas/audit/..%2F..%2Fopenapi.json")) {
            HttpResponse<String> r = f.get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
    }
}
