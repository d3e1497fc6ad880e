package dev.filetrail.events.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.embedded.contracts.ContractValidator;
import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.ObjectEventWriter;
import dev.filetrail.events.object.Origin;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ContractSchemasTest {
    private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");
    private static final Map<String, Class<?>> RECORDS = Map.of(
            Topics.OBJECT_EVENTS.name(), ObjectEvent.class,
            Topics.PROCESSING_RESULTS.name(), ProcessingResult.class,
            Topics.SHARE_COMMANDS.name(), ShareCommand.class,
            Topics.ACCESS_EVENTS.name(), AccessEvent.class,
            Topics.FILE_VERSIONS.name(), FileVersionChange.class,
            Topics.FILES.name(), FileHead.class,
            Topics.SHARE_LINKS.name(), ShareLink.class,
            Topics.AUDIT.name(), CloudEvent.class);
    private final ContractValidator validator = new ContractValidator();

    @Test
    void everyTopicAndAuditTypeHasADraft2020SchemaWhoseIdIsItsName() {
        assertThat(ContractSchemas.names()).hasSize(Topics.ALL.size() + AuditTypes.ALL.size());
        for (String name : ContractSchemas.names()) {
            JsonNode schema = Json.MAPPER.valueToTree(Json.read(ContractSchemas.read(name).orElseThrow(), Map.class));
            assertThat(schema.path("$schema").asText()).as(name).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(schema.path("$id").asText()).as(name).isEqualTo(ContractSchemas.ID_PREFIX + name);
            assertThat(ContractSchemas.nameOf(schema.path("$id").asText())).contains(name);
        }
        assertThat(ContractSchemas.read("../pom.xml")).isEmpty();
        assertThat(ContractSchemas.nameOf("urn:filetrail:schema:audit/nope.json")).isEmpty();
    }

    /** The schemas are kept by hand: this holds them to the codec, so a field added to a record must be added. */
    @Test
    void eachRecordSchemaListsExactlyTheFieldsTheCodecWrites() {
        RECORDS.forEach((topic, type) -> {
            JsonNode schema = Json.MAPPER.valueToTree(Json.read(ContractSchemas.read(ContractSchemas.forTopic(topic))
                    .orElseThrow(), Map.class));
            List<String> schemaFields = new ArrayList<>();
            schema.path("properties").fieldNames().forEachRemaining(schemaFields::add);
            var description = Json.MAPPER.getSerializationConfig().introspect(Json.MAPPER.constructType(type));
            TreeSet<String> codecFields = new TreeSet<>();
            description.findProperties().stream().filter(BeanPropertyDefinition::couldSerialize)
                    .forEach(p -> codecFields.add(p.getName()));
            assertThat(new TreeSet<>(schemaFields)).as(topic).isEqualTo(codecFields);
        });
    }

    @Test
    void whatTheCodecsWriteIsValidAndWhatBreaksTheContractIsNamed() {
        ObjectEvent event = new ObjectEvent("e1", "b", "k", "v1", "01", ObjectEventType.VERSION_CREATED,
                "ObjectCreated:Put", 12L, "etag", "STANDARD", T, "us-east-1", "AWS:X", "203.0.113.9", null, null,
                new Origin(Origin.S3_NOTIFICATION, "m1", "n1", "c1"), T);
        assertThat(validator.problems(Topics.OBJECT_EVENTS.name(), Json.write(event))).isEmpty();
        assertThat(validator.problems(Topics.OBJECT_EVENTS.name(), ObjectEventWriter.write(event))).isEmpty();
        AccessEvent access = new AccessEvent("a1", AccessEvent.Type.SHARE_OPENED, "L1", "b", "k", "v1", null,
                "public", "192.0.2.1", T);
        assertThat(validator.problems(Topics.ACCESS_EVENTS.name(), Json.write(access))).isEmpty();

        ObjectNode wrongSize = (ObjectNode) Json.MAPPER.valueToTree(event);
        wrongSize.put("size", "twelve");
        assertThat(validator.problems(Topics.OBJECT_EVENTS.name(), Json.MAPPER.valueToTree(wrongSize).toString().getBytes()))
                .singleElement().asString().contains("size");
        assertThat(validator.problems(Topics.ACCESS_EVENTS.name(), "{\"type\":\"SHARE_OPENED\",\"bucket\":\"b\",\"key\":\"k\"}"
                .getBytes())).singleElement().asString().contains("eventId");
        assertThat(validator.problems(Topics.ACCESS_EVENTS.name(), "{not json".getBytes())).singleElement().asString()
                .startsWith("not JSON");
        assertThat(validator.problems(Topics.SHARE_COMMANDS.name(), null)).singleElement().asString().contains("tombstone");
        assertThat(validator.problems(Topics.FILES.name(), null)).isEmpty();
    }

    /** The audit topic's schema lists every type the stream writes (it had missed dev.filetrail.file.restored). */
    @Test
    void theAuditTopicSchemaNamesEveryAuditType() {
        JsonNode schema = Json.MAPPER.valueToTree(Json.read(ContractSchemas.read(ContractSchemas.forTopic(
                Topics.AUDIT.name())).orElseThrow(), Map.class));
        List<String> types = new ArrayList<>();
        schema.path("properties").path("type").path("enum").forEach(t -> types.add(t.asText()));
        assertThat(types).containsExactlyInAnyOrderElementsOf(AuditTypes.ALL);
    }

    @Test
    void aRewindsAccessEventsAndTheirAuditDataAreValid() {
        AccessEvent.Rewind job = new AccessEvent.Rewind("rw_1", "", T, Map.of("restore", 1L, "delete", 2L, "keep", 0L),
                Map.of("done", 3L, "failed", 0L));
        AccessEvent finished = new AccessEvent("a1", AccessEvent.Type.REWIND_FINISHED, null, "b", "", null, null,
                "key:k1", null, T, null, job);
        assertThat(validator.problems(Topics.ACCESS_EVENTS.name(), Json.write(finished))).isEmpty();
        ObjectNode data = Json.MAPPER.createObjectNode().put("bucket", "b").put("key", "").put("rewindId", "rw_1")
                .put("prefix", "").put("to", T.toString()).put("origin", "api");
        data.putObject("planned").put("restore", 1).put("delete", 2).put("keep", 0);
        data.putObject("actions").put("done", 3).put("failed", 0);
        for (String type : List.of(AuditTypes.REWIND_STARTED, AuditTypes.REWIND_FINISHED, AuditTypes.REWIND_STOPPED,
                AuditTypes.REWIND_RESUMED)) {
            CloudEvent event = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", type, "b/", T,
                    CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(type), data);
            assertThat(validator.problems(Topics.AUDIT.name(), Json.write(event))).as(type).isEmpty();
        }
        CloudEvent noPlan = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", AuditTypes.REWIND_STARTED, "b/",
                T, CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(AuditTypes.REWIND_STARTED),
                data.deepCopy().without("planned"));
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(noPlan))).singleElement().asString()
                .contains("planned");
        ObjectNode deleted = Json.MAPPER.createObjectNode().put("bucket", "b").put("key", "k").put("versionId", "m1")
                .put("deleteMarker", true).put("rewindId", "rw_1").put("actor", "key:k1").put("origin", "api");
        CloudEvent marker = new CloudEvent(CloudEvent.SPEC_VERSION, "id2", "urn:test", AuditTypes.FILE_DELETED, "b/k",
                T, CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(AuditTypes.FILE_DELETED), deleted);
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(marker))).isEmpty();
    }

    @Test
    void anAuditEventsDataIsCheckedAgainstTheSchemaItsDataschemaNames() {
        String type = AuditTypes.URL_ISSUED;
        ObjectNode data = Json.MAPPER.createObjectNode().put("bucket", "b").put("key", "k").put("versionId", "v1");
        CloudEvent good = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", type, "b/k", T,
                CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(type), data);
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(good))).isEmpty();

        CloudEvent noKey = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", type, "b/k", T,
                CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(type), data.deepCopy().without("key"));
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(noKey))).singleElement().asString()
                .startsWith("data:").contains("key");
        CloudEvent otherSchema = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", type, "b/k", T,
                CloudEvent.CONTENT_TYPE, ContractSchemas.dataschema(AuditTypes.SHARE_OPENED), data);
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(otherSchema))).singleElement().asString()
                .contains("is not " + ContractSchemas.dataschema(type));
        CloudEvent unknownType = new CloudEvent(CloudEvent.SPEC_VERSION, "id1", "urn:test", "dev.filetrail.nope",
                "b/k", T, CloudEvent.CONTENT_TYPE, null, data);
        assertThat(validator.problems(Topics.AUDIT.name(), Json.write(unknownType))).isNotEmpty();
    }
}
