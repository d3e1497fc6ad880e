package dev.filetrail.events.audit;

import static dev.filetrail.events.JsonFields.instant;
import static dev.filetrail.events.JsonFields.string;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.JsonFields;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a {@link CloudEvent} as exactly the bytes {@link Json#write} produces, without Jackson's bean machinery:
 * the topology writes one for every event. Its {@code data} object's text, boolean and whole-number members are
 * written directly; anything else (nested, null, other numbers) through the mapper. {@code CloudEventWriterTest}
 * holds the two byte-equal.
 */
public final class CloudEventWriter {
    private static final SerializableString SPECVERSION = new SerializedString("specversion");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString SOURCE = new SerializedString("source");
    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString SUBJECT = new SerializedString("subject");
    private static final SerializableString TIME = new SerializedString("time");
    private static final SerializableString DATACONTENTTYPE = new SerializedString("datacontenttype");
    private static final SerializableString DATASCHEMA = new SerializedString("dataschema");
    private static final SerializableString DATA = new SerializedString("data");

    private CloudEventWriter() {
    }

    /** The event's JSON in UTF-8. */
    public static byte[] write(CloudEvent event) {
        return JsonFields.bytes(event, CloudEventWriter::write);
    }

    private static void write(JsonGenerator g, CloudEvent e) throws IOException {
        g.writeStartObject();
        string(g, SPECVERSION, e.specversion());
        string(g, ID, e.id());
        string(g, SOURCE, e.source());
        string(g, TYPE, e.type());
        string(g, SUBJECT, e.subject());
        instant(g, TIME, e.time());
        string(g, DATACONTENTTYPE, e.datacontenttype());
        string(g, DATASCHEMA, e.dataschema());
        JsonNode data = e.data();
        if (data != null) {
            g.writeFieldName(DATA);
            if (data.isObject()) {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    g.writeFieldName(field.getKey());
                    member(g, field.getValue());
                }
                g.writeEndObject();
            } else {
                g.writeTree(data);
            }
        }
        g.writeEndObject();
    }

    private static void member(JsonGenerator g, JsonNode value) throws IOException {
        if (value.isTextual()) {
            g.writeString(value.textValue());
        } else if (value.isBoolean()) {
            g.writeBoolean(value.booleanValue());
        } else if (value.isInt() || value.isLong()) {
            g.writeNumber(value.longValue());
        } else {
            g.writeTree(value);
        }
    }
}
