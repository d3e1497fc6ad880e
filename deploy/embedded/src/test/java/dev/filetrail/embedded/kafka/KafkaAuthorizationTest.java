package dev.filetrail.embedded.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.filetrail.embedded.contracts.ContractCheck;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaOperation;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared broker enforces the role table with real clients: each role may do exactly what the table grants
 * on every Filetrail topic, and a client with another role's login, a wrong password or no login is refused.
 */
@ExtendWith(RealParts.class)
class KafkaAuthorizationTest {
    private static final Map<String, Object> FAST = Map.of("max.block.ms", 10_000, "request.timeout.ms", 5_000,
            "default.api.timeout.ms", 10_000, "delivery.timeout.ms", 10_000);
    private static final Map<String, Object> ADMIN = Map.of("request.timeout.ms", 5_000, "default.api.timeout.ms", 10_000);

    private KafkaCluster kafka;

    @BeforeEach
    void securedOnly(KafkaCluster cluster) {
        assumeTrue(cluster.secured(), "the cluster in use enforces no roles (an open or single-login cluster)");
        this.kafka = cluster;
    }

    @Test
    void everyRoleMayDescribeWriteAndReadExactlyTheTopicsTheTableGrantsIt() throws Exception {
        try (KafkaProducer<String, String> ops = kafka.settings(KafkaRole.OPS).newProducer(FAST,
                new StringSerializer(), new StringSerializer())) {
            for (String topic : Topics.ALL) {
                ops.send(probe(topic, 0)).get(10, TimeUnit.SECONDS);
            }
        }
        List<String> disagreements = new ArrayList<>();
        for (KafkaRole role : KafkaRole.values()) {
            KafkaClientSettings settings = kafka.settings(role);
            try (Admin admin = settings.newAdmin(ADMIN);
                 KafkaProducer<String, String> producer = settings.newProducer(FAST, new StringSerializer(),
                         new StringSerializer())) {
                for (String topic : Topics.ALL) {
                    check(disagreements, role, KafkaOperation.DESCRIBE, topic, () ->
                            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS));
                    check(disagreements, role, KafkaOperation.WRITE, topic, () ->
                            producer.send(probe(topic, null)).get(10, TimeUnit.SECONDS));
                    // A consumer per probe: one that was refused a topic may report it again on the next poll.
                    check(disagreements, role, KafkaOperation.READ, topic, () -> {
                        try (KafkaConsumer<String, String> consumer = settings.newConsumer(FAST,
                                new StringDeserializer(), new StringDeserializer())) {
                            // Partition 0 holds the ops role's record: a fetch that returns it proves READ; a
                            // poll that returns nothing has not been answered yet, so it is asked again.
                            TopicPartition partition = new TopicPartition(topic, 0);
                            consumer.assign(List.of(partition));
                            consumer.seekToBeginning(List.of(partition));
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                            while (consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                                if (System.nanoTime() > deadline) {
                                    throw new AssertionError("no answer reading " + topic + " as " + role.wireName());
                                }
                            }
                        }
                    });
                }
            }
        }
        assertThat(disagreements).as("broker decisions that differ from the table").isEmpty();
    }

    private interface Probe {
        void run() throws Exception;
    }

    private static void check(List<String> disagreements, KafkaRole role, KafkaOperation operation, String topic,
                              Probe probe) {
        boolean expected = role.allows(operation, ResourceKind.TOPIC, topic);
        boolean allowed;
        try {
            probe.run();
            allowed = true;
        } catch (Exception e) {
            // Topic refused, or (no WRITE anywhere) the idempotent producer's id refused on the cluster — which
            // surfaces from the future of the first send, or, once the producer is in its fatal error state, as a
            // KafkaException thrown by send() itself, whichever the producer's thread reached first.
            if (!refusedBy(e)) {
                throw new AssertionError(role.wireName() + " " + operation + " " + topic + ": " + e, e);
            }
            allowed = false;
        }
        if (allowed != expected) {
            disagreements.add(role.wireName() + " " + operation + " " + topic + ": broker "
                    + (allowed ? "allowed" : "refused") + ", table " + (expected ? "allows" : "refuses"));
        }
    }

    private static boolean refusedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theDeadLetterRedriveGroupsAreTheOpsRolesAlone() {
        // The groups `filetrail dlq redrive` keeps its progress in: the ingest letters' and the streams' re-apply.
        List<String> groups = List.of("filetrail-dlq-redrive", "filetrail-streams-dlq-reapply");
        TopicPartition letters = new TopicPartition(Topics.STREAMS_DLQ.name(), 0);
        List<String> disagreements = new ArrayList<>();
        for (String group : groups) {
            assertThat(KafkaRole.OPS.allows(KafkaOperation.READ, ResourceKind.GROUP, group)).as(group).isTrue();
            for (KafkaRole role : KafkaRole.values()) {
                Map<String, Object> settings = new java.util.HashMap<>(FAST);
                settings.put("group.id", group + "-probe");
                settings.put("enable.auto.commit", false);
                // A commit needs READ on the group and on the topic.
                boolean expected = role.allows(KafkaOperation.READ, ResourceKind.GROUP, group + "-probe")
                        && role.allows(KafkaOperation.READ, ResourceKind.TOPIC, letters.topic());
                boolean allowed;
                try (KafkaConsumer<String, String> consumer = kafka.settings(role).newConsumer(settings,
                        new StringDeserializer(), new StringDeserializer())) {
                    consumer.commitSync(Map.of(letters, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)));
                    allowed = true;
                } catch (RuntimeException e) {
                    if (!refusedBy(e)) {
                        throw new AssertionError(role.wireName() + " commit in " + group + ": " + e, e);
                    }
                    allowed = false;
                }
                if (allowed != expected) {
                    disagreements.add(role.wireName() + " commit in " + group + ": broker "
                            + (allowed ? "allowed" : "refused") + ", table " + (expected ? "allows" : "refuses"));
                }
            }
        }
        assertThat(disagreements).as("broker decisions that differ from the table").isEmpty();
    }

    @Test
    void apiMayNotProduceObjectEvents() {
        try (KafkaProducer<String, String> producer = kafka.settings(KafkaRole.API).newProducer(FAST,
                new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.OBJECT_EVENTS.name(), "b/k", "{}")).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void bridgeMayNotCreateATopicButOpsMay() throws Exception {
        String topic = "filetrail.created-by-" + System.nanoTime();
        try (Admin bridge = kafka.settings(KafkaRole.BRIDGE).newAdmin()) {
            assertThatThrownBy(() -> bridge.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (Admin ops = kafka.admin()) {
            ops.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            // The controller has committed the topic; the broker's metadata cache, which answers the listing,
            // catches up a moment later on a loaded machine.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!ops.listTopics().names().get().contains(topic) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ops.listTopics().names().get()).contains(topic);
        }
    }

    @Test
    void auditReaderReadsTheAuditTopicInItsOwnGroupsOnly() {
        KafkaClientSettings auditor = kafka.settings(KafkaRole.AUDIT_READER);
        try (KafkaConsumer<String, String> own = auditor.newConsumer(
                Map.of("group.id", KafkaRole.AUDIT_READER_GROUP_PREFIX + "test", "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            own.subscribe(List.of(Topics.AUDIT.name()));
            own.poll(Duration.ofSeconds(2));
            own.commitSync();
        }
        try (KafkaConsumer<String, String> files = auditor.newConsumer(
                Map.of("group.id", KafkaRole.AUDIT_READER_GROUP_PREFIX + "files"), new StringDeserializer(),
                new StringDeserializer())) {
            files.subscribe(List.of(Topics.FILES.name()));
            assertThatThrownBy(() -> files.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaConsumer<String, String> projector = auditor.newConsumer(
                Map.of("group.id", KafkaRole.PROJECTOR_GROUP_PREFIX), new StringDeserializer(), new StringDeserializer())) {
            projector.subscribe(List.of(Topics.AUDIT.name()));
            assertThatThrownBy(() -> projector.poll(Duration.ofSeconds(5))).isInstanceOf(GroupAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAtLogin() {
        KafkaClientSettings wrong = kafka.settings(KafkaRole.OPS).withCredentials(KafkaRole.OPS.wireName(), "not-it");
        try (Admin admin = wrong.newAdmin(ADMIN)) {
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void noLoginAtAllGetsNothing() {
        try (Admin anonymous = KafkaClientSettings.plaintext(kafka.bootstrapServers())
                .newAdmin(Map.of("default.api.timeout.ms", 5_000, "request.timeout.ms", 2_000))) {
            assertThatThrownBy(() -> anonymous.listTopics().names().get()).isInstanceOf(ExecutionException.class);
        }
    }

    /** A probe of the grants, not a record of the topic's type: marked so the end-of-run contract check skips it. */
    private static ProducerRecord<String, String> probe(String topic, Integer partition) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, partition, "authorization-probe", "{}");
        record.headers().add(ContractCheck.DELIBERATELY_INVALID, "probe".getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
