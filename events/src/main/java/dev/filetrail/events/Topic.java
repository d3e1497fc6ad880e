package dev.filetrail.events;

import dev.filetrail.events.kafka.KafkaRole;
import java.util.Set;

/**
 * One Kafka topic's contract, declared once in {@link Topics}: its name, how its keys and values are encoded, how
 * long Kafka keeps its records, whether it is an input co-partitioned by {@code bucket/key}, which service role writes
 * it and which read it. Producers, consumers, the topology, the topic setup, the role table ({@link KafkaRole}) and
 * the tests all take these from the declaration. Free of Kafka types, like {@link Codec}, so the Lambdas (whose jar
 * leaves Kafka out) may load it; {@link CodecSerde#values} is a topic's Kafka serde.
 */
public record Topic<K, V>(String name, Codec<K> keys, Codec<V> values, Retention retention, boolean coPartitioned,
                          KafkaRole writer, Set<KafkaRole> readers) {

    public Topic {
        readers = Set.copyOf(readers);
    }

    /** How long the topic keeps its records. */
    public enum Retention {
        /** The latest record per key (compacted): a state topic. */
        COMPACTED,
        /** Every record, forever: the log is the system of record. */
        FOREVER,
        /** Every record for the operator's audit retention ({@code AUDIT_RETENTION_MS}, forever by default). */
        AUDIT
    }

    public boolean compacted() {
        return retention == Retention.COMPACTED;
    }

    @Override
    public String toString() {
        return name;
    }
}
