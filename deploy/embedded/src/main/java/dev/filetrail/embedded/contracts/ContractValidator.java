package dev.filetrail.embedded.contracts;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.filetrail.events.Topics;
import dev.filetrail.events.schema.ContractSchemas;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks record values against the published schemas ({@link ContractSchemas}) the way a reader of the topics
 * would: the value against its topic's schema and, on the audit topic, the event's {@code data} against the schema
 * its {@code dataschema} names. It sees only the JSON bytes, never Filetrail's codecs.
 */
public final class ContractValidator {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final Map<String, Schema> schemas = new LinkedHashMap<>();

    public ContractValidator() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        for (String name : ContractSchemas.names()) {
            byte[] json = ContractSchemas.read(name).orElseThrow();
            schemas.put(name, registry.getSchema(new String(json, StandardCharsets.UTF_8)));
        }
    }

    /** What is wrong with {@code value} as a record of contract topic {@code topic}; empty when nothing is. */
    public List<String> problems(String topic, byte[] value) {
        if (!Topics.ALL.contains(topic)) {
            throw new IllegalArgumentException(topic + " is not a Filetrail topic");
        }
        if (topic.equals(Topics.STREAMS_DLQ.name())) {
            return List.of(); // The original bytes, whatever they were: its schema says so.
        }
        if (value == null) {
            return Topics.COMPACTED.contains(topic) ? List.of()
                    : List.of("a tombstone (no value) on a topic that is not compacted");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JacksonException e) {
            return List.of("not JSON: " + e.getOriginalMessage());
        }
        List<String> problems = new ArrayList<>(check(ContractSchemas.forTopic(topic), node));
        if (topic.equals(Topics.AUDIT.name()) && problems.isEmpty()) {
            String type = node.path("type").asString();
            JsonNode dataschema = node.get("dataschema");
            if (dataschema != null && !dataschema.asString().equals(ContractSchemas.dataschema(type))) {
                problems.add("dataschema " + dataschema.asString() + " is not " + ContractSchemas.dataschema(type));
            }
            check(ContractSchemas.forAuditData(type), node.get("data")).forEach(p -> problems.add("data: " + p));
        }
        return problems;
    }

    private List<String> check(String schemaName, JsonNode node) {
        Schema schema = schemas.get(schemaName);
        if (schema == null) {
            return List.of("no schema " + schemaName);
        }
        return schema.validate(node).stream().map(Error::toString).toList();
    }
}
