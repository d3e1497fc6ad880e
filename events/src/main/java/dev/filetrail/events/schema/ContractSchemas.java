package dev.filetrail.events.schema;

import dev.filetrail.events.Topics;
import dev.filetrail.events.audit.AuditTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The published JSON Schemas (draft 2020-12) of Filetrail's contracts: one per topic's record value
 * ({@code topics/<topic>.json}) and one per audit CloudEvent's {@code data} ({@code audit/<type>.json}), kept under
 * {@code schemas/} on the classpath. A schema's {@code $id} is {@link #ID_PREFIX} and its name, which is what an
 * audit event's {@code dataschema} says and what the API serves under {@code /schemas/<name>}.
 */
public final class ContractSchemas {
    /** Prefix of every schema's {@code $id}: the name follows it. */
    public static final String ID_PREFIX = "urn:filetrail:schema:";
    private static final String RESOURCES = "/schemas/";

    private ContractSchemas() {
    }

    /** The name of the schema of {@code topic}'s record values. */
    public static String forTopic(String topic) {
        return "topics/" + topic + ".json";
    }

    /** The name of the schema of the {@code data} of audit events of CloudEvents type {@code type}. */
    public static String forAuditData(String type) {
        return "audit/" + type + ".json";
    }

    /** The {@code dataschema} attribute of an audit event of {@code type}: its data schema's {@code $id}. */
    public static String dataschema(String type) {
        return ID_PREFIX + forAuditData(type);
    }

    /** The schema name a {@code dataschema} attribute (an {@code $id}) stands for, or empty if it is not ours. */
    public static Optional<String> nameOf(String id) {
        if (id == null || !id.startsWith(ID_PREFIX) || !names().contains(id.substring(ID_PREFIX.length()))) {
            return Optional.empty();
        }
        return Optional.of(id.substring(ID_PREFIX.length()));
    }

    /** Every published schema's name: the topics' first, then the audit data types'. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        Topics.ALL.forEach(topic -> names.add(forTopic(topic)));
        AuditTypes.ALL.forEach(type -> names.add(forAuditData(type)));
        return List.copyOf(names);
    }

    /** The schema's JSON, or empty when no schema has that name (only published names are looked up). */
    public static Optional<byte[]> read(String name) {
        if (!names().contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = ContractSchemas.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("schema " + name + " is missing from the classpath");
            }
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + name, e);
        }
    }
}
