package dev.filetrail.events.kafka;

import static dev.filetrail.events.kafka.KafkaOperation.CREATE;
import static dev.filetrail.events.kafka.KafkaOperation.DESCRIBE;
import static dev.filetrail.events.kafka.KafkaOperation.DESCRIBE_CONFIGS;
import static dev.filetrail.events.kafka.KafkaOperation.READ;
import static dev.filetrail.events.kafka.KafkaOperation.WRITE;
import static dev.filetrail.events.kafka.ResourceKind.CLUSTER;
import static dev.filetrail.events.kafka.ResourceKind.GROUP;
import static dev.filetrail.events.kafka.ResourceKind.TOPIC;
import static dev.filetrail.events.kafka.ResourceKind.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.events.Topics;
import java.util.Arrays;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.api.Test;

class KafkaRoleTest {

    @Test
    void eachServiceMayWriteOnlyWhatItsContractSaysItWrites() {
        for (String topic : Topics.ALL) {
            boolean bridgeWrites = topic.equals(Topics.OBJECT_EVENTS.name()) || topic.equals(Topics.PROCESSING_RESULTS.name())
                    || topic.equals(Topics.INGEST_DLQ.name());
            assertThat(KafkaRole.BRIDGE.allows(WRITE, TOPIC, topic)).as(topic).isEqualTo(bridgeWrites);
            assertThat(KafkaRole.API.allows(WRITE, TOPIC, topic)).as(topic).isEqualTo(topic.equals(Topics.SHARE_COMMANDS.name())
                    || topic.equals(Topics.ACCESS_EVENTS.name()));
            assertThat(KafkaRole.STREAMS.allows(WRITE, TOPIC, topic)).as(topic)
                    .isEqualTo(!Topics.CO_PARTITIONED.contains(topic) && !topic.equals(Topics.INGEST_DLQ.name()));
            assertThat(KafkaRole.OPS.allows(WRITE, TOPIC, topic)).as(topic).isTrue();
            assertThat(KafkaRole.AUDIT_READER.allows(WRITE, TOPIC, topic)).as(topic).isFalse();
        }
        assertThat(KafkaRole.STREAMS.allows(WRITE, TOPIC, Topics.FILES.name() + ".rebuilt")).isTrue();
    }

    @Test
    void theAuditReaderReadsTheAuditTopicAndItsOwnGroupsOnly() {
        for (String topic : Topics.ALL) {
            assertThat(KafkaRole.AUDIT_READER.allows(READ, TOPIC, topic)).as(topic).isEqualTo(topic.equals(Topics.AUDIT.name()));
        }
        assertThat(KafkaRole.AUDIT_READER.allows(READ, GROUP, "filetrail-audit-siem")).isTrue();
        assertThat(KafkaRole.AUDIT_READER.allows(READ, GROUP, "filetrail-query-projector")).isFalse();
        assertThat(KafkaRole.AUDIT_READER.allows(DESCRIBE, TOPIC, Topics.AUDIT.name())).as("READ implies DESCRIBE").isTrue();
        assertThat(KafkaRole.AUDIT_READER.allows(DESCRIBE, CLUSTER, KafkaPermission.CLUSTER_NAME)).isFalse();
    }

    @Test
    void onlyOpsCreatesContractTopicsAndStreamsOnlyItsOwnInternalOnes() {
        for (KafkaRole role : KafkaRole.values()) {
            assertThat(role.allows(CREATE, TOPIC, Topics.OBJECT_EVENTS.name())).as(role.wireName()).isEqualTo(role == KafkaRole.OPS);
        }
        String changelog = "filetrail-metadata-streams-rebuild-1-history-changelog";
        assertThat(KafkaRole.STREAMS.allows(CREATE, TOPIC, changelog)).isTrue();
        assertThat(KafkaRole.STREAMS.allows(DESCRIBE_CONFIGS, TOPIC, changelog)).isTrue();
        assertThat(KafkaRole.STREAMS.allows(WRITE, TRANSACTIONAL_ID, "filetrail-metadata-streams-0_1")).isTrue();
        assertThat(KafkaRole.STREAMS.allows(READ, GROUP, "filetrail-metadata-streams-rebuild-1")).isTrue();
        assertThat(KafkaRole.STREAMS.allows(CREATE, TOPIC, "other-app-changelog")).isFalse();
        assertThat(KafkaRole.OPS.allows(KafkaOperation.DELETE, TOPIC, Topics.OBJECT_EVENTS.name())).as("no one deletes the log").isFalse();
    }

    @Test
    void aclBindingsCarryEveryOperationForTheUser() {
        var bindings = KafkaAcls.bindings(KafkaRole.AUDIT_READER, "auditor");
        assertThat(bindings).extracting(AclBinding::toString).hasSize(2);
        assertThat(bindings).allSatisfy(b -> assertThat(b.entry().principal()).isEqualTo("User:auditor"));
        assertThat(bindings).anySatisfy(b -> {
            assertThat(b.pattern().name()).isEqualTo(Topics.AUDIT.name());
            assertThat(b.pattern().patternType()).isEqualTo(PatternType.LITERAL);
            assertThat(b.entry().operation()).isEqualTo(AclOperation.READ);
        });
        long expected = Arrays.stream(KafkaRole.values()).mapToLong(r -> r.permissions().stream()
                .mapToLong(p -> p.operations().size()).sum()).sum();
        assertThat(Arrays.stream(KafkaRole.values()).mapToLong(r -> KafkaAcls.bindings(r, "u").size()).sum())
                .isEqualTo(expected);
    }

    @Test
    void rolesHaveWireNames() {
        assertThat(KafkaRole.fromWireName("audit-reader")).isEqualTo(KafkaRole.AUDIT_READER);
        assertThatThrownBy(() -> KafkaRole.fromWireName("admin")).hasMessageContaining("admin");
    }
}
