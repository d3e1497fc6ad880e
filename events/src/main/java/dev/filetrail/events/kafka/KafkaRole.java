package dev.filetrail.events.kafka;

import static dev.filetrail.events.kafka.KafkaOperation.ALTER;
import static dev.filetrail.events.kafka.KafkaOperation.ALTER_CONFIGS;
import static dev.filetrail.events.kafka.KafkaOperation.CREATE;
import static dev.filetrail.events.kafka.KafkaOperation.DELETE;
import static dev.filetrail.events.kafka.KafkaOperation.DESCRIBE;
import static dev.filetrail.events.kafka.KafkaOperation.DESCRIBE_CONFIGS;
import static dev.filetrail.events.kafka.KafkaOperation.IDEMPOTENT_WRITE;
import static dev.filetrail.events.kafka.KafkaOperation.READ;
import static dev.filetrail.events.kafka.KafkaOperation.WRITE;
import static dev.filetrail.events.kafka.KafkaPermission.cluster;
import static dev.filetrail.events.kafka.KafkaPermission.literal;
import static dev.filetrail.events.kafka.KafkaPermission.prefixed;
import static dev.filetrail.events.kafka.ResourceKind.GROUP;
import static dev.filetrail.events.kafka.ResourceKind.TOPIC;
import static dev.filetrail.events.kafka.ResourceKind.TRANSACTIONAL_ID;

import dev.filetrail.events.Topic;
import dev.filetrail.events.Topics;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may do what on Kafka: THE table, derived from the writers and readers each {@link Topics} declaration names. The local broker's ACLs ({@link KafkaAcls}) and the MSK IAM policies of the
 * AWS task roles ({@code deploy/aws} KafkaAccess) are both generated from {@link #permissions()}, and tests prove
 * each enforcer agrees with it.
 */
public enum KafkaRole {
    /** ingest-bridge: produces what arrives on SQS. */
    BRIDGE("bridge"),
    /** metadata-streams: reads the inputs, writes the outputs, owns its internal topics, group and transactions. */
    STREAMS("streams"),
    /** query-api: the projector reads the outputs; share commands and access events are produced. */
    API("api"),
    /** The operator's commands: topics, backfill, replay, rebuild, reconcile, dead-letter redrive. */
    OPS("ops"),
    /** Audit consumers that read the audit topic directly, and nothing else. */
    AUDIT_READER("audit-reader"),
    /** The Kafka Connect worker running Iceberg's sink: reads the journalled topics, owns its control topic. */
    JOURNAL("journal");

    /** Kafka Streams application ids start with this: its group, internal topics and transactional ids. */
    public static final String STREAMS_APPLICATION_PREFIX = "filetrail-metadata-streams";
    /** Consumer groups of the projector (and of a projection rebuild) start with this. */
    public static final String PROJECTOR_GROUP_PREFIX = "filetrail-query-projector";
    /** Consumer groups of audit consumers must start with this. */
    public static final String AUDIT_READER_GROUP_PREFIX = "filetrail-audit-";
    /** The journal sink's consumer groups (source and control) and transactional ids start with this. */
    public static final String JOURNAL_PREFIX = "filetrail-journal";
    /** The journal's own topics (control, dead letters, a drill's sources) start with this. */
    public static final String JOURNAL_TOPIC_PREFIX = "filetrail.journal-";
    /** Where the Iceberg sink's workers and coordinator exchange commit requests and data-file lists. */
    public static final String JOURNAL_CONTROL_TOPIC = "filetrail.journal-control";
    /** Records the journal sink could not turn into a row, kept whole with the reason in Connect's headers. */
    public static final String JOURNAL_DLQ_TOPIC = "filetrail.journal-dlq.v1";
    /** Every Filetrail topic, and every topic the ops commands create (replay targets too), starts with this. */
    public static final String TOPIC_PREFIX = "filetrail.";
    /** Every Filetrail consumer group starts with this. */
    public static final String GROUP_PREFIX = "filetrail-";

    private final String wireName;

    KafkaRole(String wireName) {
        this.wireName = wireName;
    }

    /** The role's name in configuration, {@code endpoints.json} and logs ({@code audit-reader}, ...). */
    public String wireName() {
        return wireName;
    }

    public static KafkaRole fromWireName(String name) {
        for (KafkaRole role : values()) {
            if (role.wireName.equals(name)) {
                return role;
            }
        }
        throw new IllegalArgumentException("no Kafka role '" + name + "'");
    }

    /** Everything this role may do; anything else is refused. */
    public List<KafkaPermission> permissions() {
        List<KafkaPermission> p = new ArrayList<>();
        switch (this) {
            case BRIDGE -> {
                written(this).forEach(topic -> p.add(literal(TOPIC, topic, WRITE)));
                p.add(cluster(IDEMPOTENT_WRITE));
            }
            case STREAMS -> {
                read(this).forEach(topic -> p.add(literal(TOPIC, topic, READ)));
                // Prefixed: a rebuild may write side-by-side outputs named <topic><suffix>.
                written(this).forEach(topic -> p.add(prefixed(TOPIC, topic, WRITE)));
                p.addAll(streamsApplication());
                p.add(cluster(IDEMPOTENT_WRITE));
            }
            case API -> {
                read(this).forEach(topic -> p.add(literal(TOPIC, topic, READ)));
                written(this).forEach(topic -> p.add(literal(TOPIC, topic, WRITE)));
                p.add(prefixed(GROUP, PROJECTOR_GROUP_PREFIX, READ));
                p.add(cluster(IDEMPOTENT_WRITE));
            }
            case OPS -> {
                // Create and configure every Filetrail topic, read any, re-produce to any (backfill, reconcile
                // repairs, replay, redrive); never delete one: the log is the system of record.
                p.add(prefixed(TOPIC, TOPIC_PREFIX, CREATE, READ, WRITE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS));
                // rebuild --streams runs the topology under a new application id with the same prefix.
                p.addAll(streamsApplication());
                p.add(prefixed(GROUP, GROUP_PREFIX, READ, DELETE));
                p.add(cluster(IDEMPOTENT_WRITE, DESCRIBE));
            }
            case AUDIT_READER -> {
                read(this).forEach(topic -> p.add(literal(TOPIC, topic, READ)));
                p.add(prefixed(GROUP, AUDIT_READER_GROUP_PREFIX, READ));
            }
            case JOURNAL -> {
                read(this).forEach(topic -> p.add(literal(TOPIC, topic, READ)));
                p.add(literal(TOPIC, JOURNAL_CONTROL_TOPIC, READ, WRITE));
                p.add(literal(TOPIC, JOURNAL_DLQ_TOPIC, WRITE));
                // Topics of its own (filetrail.journal-*): a drill connector's sources, its dead letters read back.
                p.add(prefixed(TOPIC, JOURNAL_TOPIC_PREFIX, READ));
                // Connect's sink group, the coordinator's commits of it, each worker's control-topic group.
                p.add(prefixed(GROUP, JOURNAL_PREFIX, READ));
                // The coordinator commits a table snapshot's offsets in a transaction: exactly once.
                p.add(prefixed(TRANSACTIONAL_ID, JOURNAL_PREFIX, WRITE));
            }
        }
        return List.copyOf(p);
    }

    /** Whether the table lets this role do {@code operation} on the resource {@code kind}/{@code name}. */
    public boolean allows(KafkaOperation operation, ResourceKind kind, String name) {
        return permissions().stream().anyMatch(permission -> permission.allows(operation, kind, name));
    }

    /** The topics whose declaration names {@code role} as their writer, in declaration order. */
    private static List<String> written(KafkaRole role) {
        return Topics.DECLARATIONS.stream().filter(topic -> topic.writer() == role).map(Topic::name).toList();
    }

    /** The topics whose declaration names {@code role} among their readers, in declaration order. */
    private static List<String> read(KafkaRole role) {
        return Topics.DECLARATIONS.stream().filter(topic -> topic.readers().contains(role)).map(Topic::name)
                .toList();
    }

    /** A Kafka Streams application under {@link #STREAMS_APPLICATION_PREFIX}, with exactly_once_v2. */
    private static List<KafkaPermission> streamsApplication() {
        return List.of(
                // Changelog and repartition topics: created, described and checked at start, purged (DELETE records).
                prefixed(TOPIC, STREAMS_APPLICATION_PREFIX, CREATE, READ, WRITE, DELETE, DESCRIBE_CONFIGS),
                prefixed(GROUP, STREAMS_APPLICATION_PREFIX, READ),
                prefixed(TRANSACTIONAL_ID, STREAMS_APPLICATION_PREFIX, WRITE));
    }
}
