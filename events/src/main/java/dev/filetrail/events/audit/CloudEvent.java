package dev.filetrail.events.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A CloudEvents 1.0 event in structured JSON mode, as written to {@code filetrail.audit.v1}. {@code dataschema} names
 * the JSON Schema of its {@code data} ({@code ContractSchemas.dataschema}); events written before it existed lack it.
 */
public record CloudEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        String dataschema,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
    /** The CloudEvents media type for a structured-mode event. */
    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";
}
