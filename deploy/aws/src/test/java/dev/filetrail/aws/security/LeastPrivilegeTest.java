package dev.filetrail.aws.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LeastPrivilegeTest {

    /** Actions that do not support resource-level permissions, so IAM accepts them only on "*". */
    private static final Set<String> ACTIONS_WITHOUT_RESOURCES = Set.of("ecr:GetAuthorizationToken",
            // The release role (ReleaseRoles): it may register and read any task definition, but run only the ops family.
            "ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition",
            // The streams hosts' ECS agent (StreamsSlots) asks where to poll before it is a container instance.
            "ecs:DiscoverPollEndpoint");
    /** Wildcards CDK's own KMS grants use for the data-key families, always on one key's ARN. */
    private static final Set<String> KMS_FAMILY_WILDCARDS = Set.of("kms:GenerateDataKey*", "kms:ReEncrypt*");

    /** One policy statement and where it sits. */
    record Statement(String resource, String type, boolean identity, Map<String, Object> body) {
        List<String> actions() {
            return Synth.list(body.get("Action")).stream().map(Object::toString).toList();
        }

        List<Object> resources() {
            return Synth.list(body.get("Resource"));
        }

        boolean allows() {
            return "Allow".equals(body.get("Effect"));
        }

        @Override
        public String toString() {
            return type + " " + resource + " " + body;
        }
    }

    static Stream<String> variants() {
        return Stream.of("defaults", "tuned", "existing", "delivered", "sharded");
    }

    private static List<Map<String, Object>> templates(String variant) {
        Synth.Result result = switch (variant) {
            case "defaults" -> Synth.defaults();
            case "tuned" -> Synth.tuned();
            case "delivered" -> Synth.delivered(Synth.tunedContext());
            // Three read-model shards, KMS: each cluster's secret is read by the execution roles that inject it.
            case "sharded" -> Synth.of(Synth.shardedContext());
            default -> Synth.existing();
        };
        return List.of(result.json(), result.billingJson());
    }

    private static final Map<String, List<Statement>> STATEMENTS = new java.util.concurrent.ConcurrentHashMap<>();

    static List<Statement> statements(String variant) {
        return STATEMENTS.computeIfAbsent(variant, LeastPrivilegeTest::collect);
    }

    /** Every statement of every identity and resource policy in the templates. */
    @SuppressWarnings("unchecked")
    private static List<Statement> collect(String variant) {
        List<Statement> found = new ArrayList<>();
        for (Map<String, Object> template : templates(variant)) {
            ((Map<String, Object>) template.get("Resources")).forEach((id, raw) -> {
                Map<String, Object> resource = (Map<String, Object>) raw;
                String type = (String) resource.get("Type");
                Map<String, Object> props = Synth.properties(resource);
                List<Object> documents = new ArrayList<>();
                boolean identity = type.equals("AWS::IAM::Policy") || type.equals("AWS::IAM::Role")
                        || type.equals("AWS::IAM::ManagedPolicy");
                if (props.containsKey("PolicyDocument")) {
                    documents.add(props.get("PolicyDocument"));
                }
                if (props.containsKey("KeyPolicy")) {
                    documents.add(props.get("KeyPolicy"));
                }
                if (props.containsKey("AssumeRolePolicyDocument")) {
                    documents.add(props.get("AssumeRolePolicyDocument"));
                }
                for (Object policy : Synth.list(props.get("Policies"))) {
                    documents.add(((Map<String, Object>) policy).get("PolicyDocument"));
                }
                for (Object document : documents) {
                    for (Object statement : Synth.list(((Map<String, Object>) document).get("Statement"))) {
                        found.add(new Statement(id, type, identity, (Map<String, Object>) statement));
                    }
                }
            });
        }
        return found;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void theApiMayOnlyReadVersionsWriteAndDeleteVersionsOfSourceObjects(String variant) {
        List<Statement> api = statements(variant).stream().filter(s -> s.identity() && s.allows()
                && s.resource().contains("ApiTaskRole") && s.actions().stream().anyMatch(a -> a.startsWith("s3:")))
                .toList();
        assertThat(api).as("the API task role's S3 statements").hasSize(1);
        // GetObject and DeleteObject for rewinds: a HEAD of the current version, a delete marker (versioned bucket);
        // the tag read and write for a restore, which keeps the version's tags.
        assertThat(api.get(0).actions()).containsExactlyInAnyOrder("s3:GetObjectVersion", "s3:GetObject",
                "s3:PutObject", "s3:DeleteObjectVersion", "s3:DeleteObject", "s3:GetObjectVersionTagging",
                "s3:GetObjectTagging", "s3:PutObjectTagging");
        // Objects of the source bucket (its ARN from the stack, or the existing bucket's name): never the derivatives.
        assertThat(api.get(0).resources()).singleElement().asString().contains("/*").doesNotContainIgnoringCase(
                "derivatives");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void noStatementAllowsEveryActionOrEveryActionOfAService(String variant) {
        List<Statement> statements = statements(variant);
        assertThat(statements).hasSizeGreaterThan(40);
        assertThat(statements).filteredOn(Statement::allows).allSatisfy(statement ->
                assertThat(statement.actions()).as(statement.toString())
                        .noneMatch(action -> action.equals("*") || action.endsWith(":*")));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void identityPoliciesUseEveryResourceOnlyWhereIamAllowsNothingNarrower(String variant) {
        assertThat(statements(variant)).filteredOn(s -> s.identity() && s.allows() && s.resources().contains("*"))
                .isNotEmpty()
                .allSatisfy(statement -> assertThat(ACTIONS_WITHOUT_RESOURCES).as(statement.toString())
                        .containsAll(statement.actions()));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void identityPoliciesNameEveryActionExceptKmsDataKeyFamilies(String variant) {
        assertThat(statements(variant)).filteredOn(s -> s.identity() && s.allows())
                .allSatisfy(statement -> assertThat(statement.actions()).as(statement.toString())
                        .allMatch(action -> !action.contains("*") || KMS_FAMILY_WILDCARDS.contains(action)));
    }

    @Test
    void noRoleCarriesAManagedPolicy() {
        for (String variant : List.of("defaults", "tuned", "existing", "delivered")) {
            for (Map<String, Object> template : templates(variant)) {
                assertThat(Synth.resources(template, "AWS::IAM::Role").values()).map(Synth::properties)
                        .allSatisfy(role -> assertThat(role).doesNotContainKey("ManagedPolicyArns"));
            }
        }
    }

    /** Resources that {@code role}'s policy grants {@code action} on, as text. */
    private static List<String> grants(String role, String action) {
        return statements("defaults").stream()
                .filter(s -> s.type().equals("AWS::IAM::Policy") && s.resource().startsWith(role) && s.allows())
                .filter(s -> s.actions().contains(action))
                .flatMap(s -> s.resources().stream()).map(Object::toString).toList();
    }

    private static List<String> actions(String role) {
        return statements("defaults").stream()
                .filter(s -> s.type().equals("AWS::IAM::Policy") && s.resource().startsWith(role))
                .flatMap(s -> s.actions().stream()).toList();
    }

    @Test
    void eachTaskRoleHasOnlyWhatItsServiceUses() {
        assertThat(actions("ServicesBridgeTaskRole"))
                .contains("sqs:ReceiveMessage", "sqs:DeleteMessage", "kafka-cluster:WriteData")
                .doesNotContain("kafka-cluster:ReadData", "kafka-cluster:CreateTopic", "sns:Publish", "sqs:SendMessage")
                // Backfill and reconcile list the bucket from the ops task, never from the service.
                .noneMatch(a -> a.startsWith("s3:"));
        assertThat(grants("ServicesBridgeTaskRole", "kafka-cluster:WriteData"))
                .anyMatch(r -> r.contains("/filetrail.object-events.v1"))
                .noneMatch(r -> r.contains("/filetrail.files.v1"));

        assertThat(actions("ServicesStreamsTaskRole"))
                .contains("kafka-cluster:ReadData", "kafka-cluster:AlterTransactionalId")
                .noneMatch(a -> a.startsWith("sqs:") || a.startsWith("s3:") || a.startsWith("sns:"));
        // Streams may create only its own internal topics, never a contract topic.
        assertThat(grants("ServicesStreamsTaskRole", "kafka-cluster:CreateTopic"))
                .isNotEmpty().allMatch(r -> r.contains("/filetrail-metadata-streams*"));

        assertThat(actions("ServicesApiTaskRole"))
                .doesNotContain("kafka-cluster:CreateTopic")
                .noneMatch(a -> a.startsWith("sqs:") || a.startsWith("secretsmanager:"))
                // Restore, undelete, rewind only (theApiMayOnlyReadVersionsWriteAndDeleteVersionsOfSourceObjects).
                .filteredOn(a -> a.startsWith("s3:"))
                .containsOnly("s3:GetObjectVersion", "s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion",
                        "s3:DeleteObject", "s3:GetObjectVersionTagging", "s3:GetObjectTagging", "s3:PutObjectTagging");
        assertThat(grants("ServicesApiTaskRole", "kafka-cluster:ReadData"))
                .anyMatch(r -> r.contains("/filetrail.file-versions.v1"));
        assertThat(grants("ServicesApiTaskRole", "kafka-cluster:WriteData"))
                .anyMatch(r -> r.contains("/filetrail.share-commands.v1"))
                .anyMatch(r -> r.contains("/filetrail.access-events.v1"))
                .noneMatch(r -> r.contains("/filetrail.file-versions.v1") || r.contains("/filetrail.object-events.v1"));

        // Only the ops task creates contract topics.
        assertThat(grants("ServicesOpsTaskRole", "kafka-cluster:CreateTopic")).anyMatch(r -> r.contains("/filetrail.*"));
        // And only it lists the source bucket (backfill, reconcile) and sends to the ingest queue (dlq redrive).
        assertThat(grants("ServicesOpsTaskRole", "s3:ListBucketVersions")).singleElement()
                .satisfies(r -> assertThat(r).contains("BucketsSource"));
        assertThat(grants("ServicesOpsTaskRole", "sqs:SendMessage")).singleElement()
                .satisfies(r -> assertThat(r).contains("IngestQueue"));
        // It walks and empties the SQS dead-letter queue (filetrail dlq --source sqs), never the ingest queue.
        for (String action : List.of("sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage")) {
            assertThat(grants("ServicesOpsTaskRole", action)).as(action).singleElement()
                    .satisfies(r -> assertThat(r).contains("IngestDeadLetters"));
        }
        // Its only object reads and writes are the journal's (journal init, replay --from-journal), in the warehouse.
        for (String action : List.of("s3:GetObject", "s3:PutObject")) {
            assertThat(grants("ServicesOpsTaskRole", action)).as(action).singleElement()
                    .satisfies(r -> assertThat(r).contains("JournalWarehouse").contains("/warehouse/*"));
        }
        assertThat(grants("ServicesOpsTaskRole", "s3:GetBucketLocation")).singleElement()
                .satisfies(r -> assertThat(r).contains("JournalWarehouse"));
        // filetrail reprocess invokes the two processors, and no other function.
        assertThat(grants("ServicesOpsTaskRole", "lambda:InvokeFunction")).hasSize(2)
                .anyMatch(r -> r.contains("ProcessingThumbnailer")).anyMatch(r -> r.contains("ProcessingMetadata"))
                .noneMatch(r -> r.contains("*"));
        assertThat(actions("ServicesOpsTaskRole")).filteredOn(a -> a.startsWith("lambda:"))
                .containsOnly("lambda:InvokeFunction");
        for (String role : List.of("ServicesBridgeTaskRole", "ServicesStreamsTaskRole", "ServicesApiTaskRole")) {
            assertThat(actions(role)).as(role).noneMatch(a -> a.startsWith("lambda:"));
        }
        assertThat(actions("ServicesOpsTaskRole")).noneMatch(a -> (a.startsWith("s3:Get") || a.startsWith("s3:Put"))
                && !List.of("s3:GetObject", "s3:PutObject", "s3:GetBucketLocation").contains(a) || a.startsWith("sns:"));
    }

    @Test
    void lambdasMayWriteOnlyDerivativesAndOnlyUnderTheirOwnFolder() {
        assertThat(grants("ProcessingThumbnailerRole", "s3:PutObject")).singleElement().satisfies(r ->
                assertThat(r).contains("BucketsDerivatives").contains("/_derivatives/thumbnails/*"));
        assertThat(grants("ProcessingMetadataRole", "s3:PutObject")).singleElement().satisfies(r ->
                assertThat(r).contains("BucketsDerivatives").contains("/_derivatives/metadata/*"));
        assertThat(grants("ProcessingThumbnailerRole", "s3:GetObjectVersion")).singleElement().satisfies(r ->
                assertThat(r).contains("BucketsSource"));
        assertThat(actions("ProcessingMetadataRole")).doesNotContain("s3:DeleteObject", "s3:PutObjectAcl")
                .contains("s3:GetObjectVersion", "s3:ListBucket", "sns:Publish");
        assertThat(grants("ProcessingMetadataRole", "sns:Publish")).singleElement().satisfies(r ->
                assertThat(r).contains("IngestProcessingResults"));
    }

    @Test
    void onlyTheMetadataLambdaAndTheApiReadTagsAndOnlyTheApiWritesThemOnlyOnTheSourceBucket() {
        for (String action : List.of("s3:GetObjectVersionTagging", "s3:GetObjectTagging")) {
            for (String role : List.of("ProcessingMetadataRole", "ServicesApiTaskRole")) {
                assertThat(grants(role, action)).as(role + " " + action).singleElement()
                        .satisfies(r -> assertThat(r).contains("BucketsSource").doesNotContain("Derivatives"));
            }
            for (String role : List.of("ProcessingThumbnailerRole", "ServicesBridgeTaskRole", "ServicesStreamsTaskRole",
                    "ServicesOpsTaskRole")) {
                assertThat(actions(role)).as(role).doesNotContain(action);
            }
        }
        // The API writes tags only as part of a restore's copy, of the source bucket's objects.
        assertThat(grants("ServicesApiTaskRole", "s3:PutObjectTagging")).singleElement()
                .satisfies(r -> assertThat(r).contains("BucketsSource").doesNotContain("Derivatives"));
        assertThat(actions("ProcessingMetadataRole")).doesNotContain("s3:PutObjectTagging",
                "s3:PutObjectVersionTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging");
        assertThat(actions("ServicesApiTaskRole")).doesNotContain("s3:PutObjectVersionTagging",
                "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging");
    }
}
