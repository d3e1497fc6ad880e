package dev.filetrail.aws.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.aws.Synth;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaOperation;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.kafka.ResourceKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The MSK IAM policies in the synthesized template and the local broker's ACLs come from one table: for every
 * role and a set of probes (operation on a topic, group, transactional id or the cluster), the role's IAM
 * statements in the template allow exactly what the table's ACLs allow.
 */
class KafkaAccessTest {
    private static final String CLUSTER = Synth.EXISTING_KAFKA_ARN;
    /** arn:aws:kafka:eu-west-1:111122223333:cluster/prod/1111-2222-3333 → the same with KIND/prod/1111-2222-3333. */
    private static final String PREFIX = CLUSTER.substring(0, CLUSTER.indexOf(":cluster/"));
    private static final String NAME_AND_UUID = CLUSTER.substring(CLUSTER.indexOf(":cluster/") + ":cluster/".length());

    /** The IAM role (logical id prefix in the template) each Kafka role runs as. */
    private static final Map<KafkaRole, String> IAM_ROLES = Map.of(
            KafkaRole.BRIDGE, "ServicesBridgeTaskRole",
            KafkaRole.STREAMS, "ServicesStreamsTaskRole",
            KafkaRole.API, "ServicesApiTaskRole",
            KafkaRole.OPS, "ServicesOpsTaskRole",
            KafkaRole.AUDIT_READER, "KafkaAuditReaderRole",
            KafkaRole.JOURNAL, "KafkaJournalConnectorRole");

    private record Probe(ResourceKind kind, String name, Set<KafkaOperation> operations) {
    }

    private static final List<Probe> PROBES = List.of(
            topics(Topics.ALL.toArray(String[]::new)),
            topics(Topics.FILES.name() + ".rebuilt", Topics.STREAMS_DLQ.name() + ".rebuilt", Topics.AUDIT.name() + ".copy", "filetrail.audit-refill.v1",
                    "filetrail-metadata-streams-rebuild-1-history-changelog", "filetrail-metadata-streams-repartition",
                    "other-app-changelog", "audit", "filetrail"),
            topics("filetrail.journal-control", "filetrail.journal-dlq.v1"),
            new Probe(ResourceKind.TRANSACTIONAL_ID, "filetrail-journal-coordinator-txn-1",
                    EnumSet.of(KafkaOperation.WRITE, KafkaOperation.DESCRIBE)),
            groups("filetrail-journal", "filetrail-journal-control-1", "filetrail-query-projector", "filetrail-query-projector-rebuild-1", "filetrail-metadata-streams",
                    "filetrail-metadata-streams-rebuild-1", "filetrail-audit-siem", "filetrail-dlq-redrive",
                    "filetrail-streams-dlq-reapply",
                    "someone-else", "filetrail"),
            new Probe(ResourceKind.TRANSACTIONAL_ID, "filetrail-metadata-streams-0_1",
                    EnumSet.of(KafkaOperation.WRITE, KafkaOperation.DESCRIBE)),
            new Probe(ResourceKind.TRANSACTIONAL_ID, "other-producer",
                    EnumSet.of(KafkaOperation.WRITE, KafkaOperation.DESCRIBE)),
            new Probe(ResourceKind.CLUSTER, "kafka-cluster", EnumSet.of(KafkaOperation.IDEMPOTENT_WRITE,
                    KafkaOperation.DESCRIBE, KafkaOperation.ALTER, KafkaOperation.DESCRIBE_CONFIGS,
                    KafkaOperation.ALTER_CONFIGS)));

    private static Probe topics(String... names) {
        return new Probe(ResourceKind.TOPIC, String.join(",", names), EnumSet.of(KafkaOperation.READ,
                KafkaOperation.WRITE, KafkaOperation.CREATE, KafkaOperation.DELETE, KafkaOperation.ALTER,
                KafkaOperation.DESCRIBE, KafkaOperation.DESCRIBE_CONFIGS, KafkaOperation.ALTER_CONFIGS));
    }

    private static Probe groups(String... names) {
        return new Probe(ResourceKind.GROUP, String.join(",", names),
                EnumSet.of(KafkaOperation.READ, KafkaOperation.DESCRIBE, KafkaOperation.DELETE));
    }

    @Test
    void everyRolesIamPolicyAllowsExactlyWhatItsAclsAllow() {
        Map<String, Object> template = Synth.existing().json();
        List<String> disagreements = new ArrayList<>();
        int probes = 0;
        for (KafkaRole role : KafkaRole.values()) {
            List<Map<String, Object>> statements = statements(template, IAM_ROLES.get(role));
            assertThat(allows(statements, "kafka-cluster:Connect", CLUSTER)).as(role + " connects").isTrue();
            for (Probe probe : PROBES) {
                for (String name : probe.name().split(",")) {
                    for (KafkaOperation operation : probe.operations()) {
                        probes++;
                        boolean acl = role.allows(operation, probe.kind(), name);
                        String action = KafkaAccess.actions(probe.kind(), operation).get(0);
                        boolean iam = allows(statements, action, arn(probe.kind(), name));
                        if (acl != iam) {
                            disagreements.add(role.wireName() + " " + operation + " " + probe.kind() + " " + name
                                    + ": ACL " + (acl ? "allows" : "refuses") + ", IAM (" + action + ") "
                                    + (iam ? "allows" : "refuses"));
                        }
                    }
                }
            }
        }
        assertThat(probes).isGreaterThan(500);
        assertThat(disagreements).isEmpty();
    }

    @Test
    void aProbeCanTellTheTwoApart() {
        // The evaluator is not blind: a policy without the bridge's write would disagree with the table.
        List<Map<String, Object>> none = List.of();
        assertThat(allows(none, "kafka-cluster:WriteData", arn(ResourceKind.TOPIC, Topics.OBJECT_EVENTS.name()))).isFalse();
        assertThat(KafkaRole.BRIDGE.allows(KafkaOperation.WRITE, ResourceKind.TOPIC, Topics.OBJECT_EVENTS.name())).isTrue();
        assertThat(matches("arn:x:topic/c/u/filetrail.files.v1*", "arn:x:topic/c/u/filetrail.files.v1.rebuilt")).isTrue();
        assertThat(matches("arn:x:topic/c/u/filetrail.files.v1", "arn:x:topic/c/u/filetrail.files.v1.rebuilt")).isFalse();
    }

    @Test
    void operationsWithoutAnMskActionAreRefusedRatherThanGuessed() {
        assertThatThrownBy(() -> KafkaAccess.actions(ResourceKind.GROUP, KafkaOperation.WRITE))
                .hasMessageContaining("no action for WRITE on a GROUP");
    }

    private static String arn(ResourceKind kind, String name) {
        return switch (kind) {
            case CLUSTER -> CLUSTER;
            case TOPIC -> PREFIX + ":topic/" + NAME_AND_UUID + "/" + name;
            case GROUP -> PREFIX + ":group/" + NAME_AND_UUID + "/" + name;
            case TRANSACTIONAL_ID -> PREFIX + ":transactional-id/" + NAME_AND_UUID + "/" + name;
        };
    }

    /** The Allow statements of the inline policies attached to the role whose logical id starts with {@code role}. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Map<String, Object> template, String role) {
        List<Map<String, Object>> found = new ArrayList<>();
        Synth.resources(template, "AWS::IAM::Policy").forEach((id, policy) -> {
            Map<String, Object> props = Synth.properties(policy);
            boolean attached = Synth.list(props.get("Roles")).stream()
                    .anyMatch(r -> String.valueOf(((Map<String, Object>) r).get("Ref")).startsWith(role));
            if (attached) {
                for (Object statement : Synth.list(((Map<String, Object>) props.get("PolicyDocument")).get("Statement"))) {
                    if ("Allow".equals(((Map<String, Object>) statement).get("Effect"))) {
                        found.add((Map<String, Object>) statement);
                    }
                }
            }
        });
        assertThat(found).as("policy of " + role).isNotEmpty();
        return found;
    }

    private static boolean allows(List<Map<String, Object>> statements, String action, String resource) {
        for (Map<String, Object> statement : statements) {
            if (!Synth.list(statement.get("Action")).contains(action)) {
                continue;
            }
            for (Object pattern : Synth.list(statement.get("Resource"))) {
                assertThat(pattern).as("a literal ARN with a literal cluster ARN").isInstanceOf(String.class);
                if (matches((String) pattern, resource)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** IAM's resource matching: {@code *} is any run of characters, {@code ?} any one. */
    private static boolean matches(String pattern, String resource) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return resource.matches(regex.toString());
    }
}
