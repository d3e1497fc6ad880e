package dev.filetrail.aws.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.FiletrailStack;
import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.Synth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * Every AWS SDK call the components made in the other modules' tests (recorded by deploy/embedded's
 * AwsCallRecorder into each module's {@code target/aws-calls}) must be allowed by the IAM policies the
 * synthesized stack gives that component: its task or function role's policies, the resource's own policy and,
 * on a KMS-encrypted resource, the key policy. This module is last in the reactor, so under {@code mvn verify}
 * every other module's tests have run and recorded before this test reads them.
 */
class IamParityTest {
    /**
     * Components that make AWS calls and must have been recorded; the streams make none today, the api restores and
     * undeletes (query-api's FileActionsTest, deploy/local's end-to-end test). The smoke
     * check ({@code filetrail smoke}) runs in the release pipeline with the role the stack hands it (ReleaseRoles).
     */
    static final Set<String> CALLING = Set.of("bridge", "ops", "thumbnailer", "metadata", "edge", "smoke", "api",
            "journal");
    static final Path ROOT = ModuleHome.path().resolve("../..").normalize();

    static List<RecordedCall> calls;

    @BeforeAll
    static void read() {
        calls = RecordedCall.readAll(ROOT);
    }

    static Stream<String> variants() {
        return Stream.of("defaults", "tuned", "sharded");
    }

    /** The stack as the release pipeline deploys it (with its roles for the pipeline), plain, tuned (KMS…) or sharded. */
    private static Synth.Result synth(String variant) {
        return Synth.delivered(switch (variant) {
            case "defaults" -> Map.of();
            case "sharded" -> Synth.shardedContext();
            default -> Synth.tunedContext();
        });
    }

    @Test
    void everyComponentThatCallsAwsWasRecorded() {
        Set<String> recorded = calls.stream().map(RecordedCall::component).collect(Collectors.toCollection(TreeSet::new));
        assertThat(recorded)
                .as("No AWS calls recorded for some components under " + ROOT + "/**/target/aws-calls (found "
                        + RecordedCall.files(ROOT) + "). The recordings come from the other modules' tests: run the "
                        + "full suite (mvn -B -ntp verify, or bash .ci/run) so that they run before this module.")
                .containsAll(CALLING);
        assertThat(recorded).as("a component nobody maps to a role").isSubsetOf(principals(synth("defaults")).keySet());
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyRecordedCallIsAllowedByItsComponentsPolicies(String variant) {
        assertThat(calls).as("recorded AWS calls (run the full suite first)").isNotEmpty();
        Synth.Result synth = synth(variant);
        PolicyEvaluator evaluator = new PolicyEvaluator(new TemplateValues(synth.json(), synth.stacks().config().region()));
        LocalNames names = new LocalNames(stackParts(synth, evaluator.values()));
        Map<String, PolicyEvaluator.Principal> principals = principals(synth);

        // One line per kind of refusal (component, permission, bucket/queue/topic), with a count and an example.
        Map<String, List<String>> refused = new TreeMap<>();
        Set<String> checked = new TreeSet<>();
        for (RecordedCall call : calls) {
            Optional<String> stackArn = names.stackArn(call);
            if (stackArn.isEmpty()) {
                refused.computeIfAbsent(call.component() + " " + call.service() + ":" + call.operation()
                        + " on a resource no rule maps to the stack (add one to LocalNames)", k -> new ArrayList<>())
                        .add(call.toString());
                continue;
            }
            PolicyEvaluator.Principal principal = principals.get(call.component());
            for (IamActions.Need need : IamActions.needs(call, stackArn.get(), evaluator.values())) {
                PolicyEvaluator.Decision decision = evaluator.evaluate(principal, need.action(), need.resource());
                checked.add(call.component() + " " + need.action());
                if (!decision.allowed()) {
                    String where = PolicyEvaluator.governingArn(need.resource());
                    refused.computeIfAbsent(call.component() + " (" + principal + ") needs " + need.action() + " on "
                            + (where.equals(need.resource()) ? where : where + "/…") + ": " + decision.why()
                            + " [" + need.why() + "]", k -> new ArrayList<>()).add(call.toString());
                }
            }
        }
        assertThat(refused.entrySet().stream().map(e -> e.getKey() + "\n      " + e.getValue().size()
                        + " recorded call(s), e.g. " + e.getValue().get(0)).toList())
                .as(variant + ": calls the stack's IAM policies would refuse").isEmpty();
        // Proof the check saw real work: every calling component had permissions checked.
        assertThat(checked.stream().map(c -> c.substring(0, c.indexOf(' '))).collect(Collectors.toSet()))
                .containsAll(CALLING);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void theSmokeRoleHoldsExactlyWhatTheSmokeCommandCalls(String variant) {
        Synth.Result synth = synth(variant);
        PolicyEvaluator evaluator = new PolicyEvaluator(new TemplateValues(synth.json(), synth.stacks().config().region()));
        LocalNames names = new LocalNames(stackParts(synth, evaluator.values()));
        List<RecordedCall> smoke = calls.stream().filter(c -> c.component().equals("smoke")).toList();
        assertThat(smoke).as("recorded smoke calls (deploy/local's ReleaseCommandsTest)").isNotEmpty();

        Set<String> needed = new TreeSet<>();
        for (RecordedCall call : smoke) {
            String arn = names.stackArn(call).orElseThrow(() -> new AssertionError("unmapped " + call));
            IamActions.needs(call, arn, evaluator.values()).forEach(need -> needed.add(need.action()));
        }
        String role = logicalId(synth.stacks().main().releaseRoles().orElseThrow().smoke());
        Set<String> granted = evaluator.identityStatements(role).stream()
                .flatMap(s -> PolicyEvaluator.list(s.body().get("Action")).stream()).map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(granted).as("the smoke role's actions").isEqualTo(needed);
        // And only under the smoke prefix of the source bucket.
        String source = evaluator.values().getAtt(logicalId(synth.stacks().main().buckets().source()), "Arn");
        PolicyEvaluator.Principal principal = PolicyEvaluator.Principal.role(role);
        assertThat(evaluator.evaluate(principal, "s3:PutObject", source + "/_smoke/check.txt").allowed()).isTrue();
        assertThat(evaluator.evaluate(principal, "s3:PutObject", source + "/photos/a.jpg").allowed()).isFalse();
        assertThat(evaluator.evaluate(principal, "s3:DeleteObjectVersion", source + "/photos/a.jpg").allowed()).isFalse();
        assertThat(evaluator.evaluate(principal, "s3:GetObject", source + "/_smoke/check.txt").allowed()).isFalse();
    }

    /** Each component's IAM identity in the stack: its role, or CloudFront's service principal for the edge. */
    static Map<String, PolicyEvaluator.Principal> principals(Synth.Result synth) {
        FiletrailStack stack = synth.stacks().main();
        Map<String, PolicyEvaluator.Principal> principals = new LinkedHashMap<>();
        principals.put("bridge", PolicyEvaluator.Principal.role(logicalId(stack.services().bridge().getTaskDefinition().getTaskRole())));
        principals.put("streams", PolicyEvaluator.Principal.role(logicalId(stack.services().streams().getTaskDefinition().getTaskRole())));
        principals.put("api", PolicyEvaluator.Principal.role(logicalId(stack.services().api().getTaskDefinition().getTaskRole())));
        principals.put("ops", PolicyEvaluator.Principal.role(logicalId(stack.services().ops().getTaskRole())));
        principals.put("thumbnailer", PolicyEvaluator.Principal.role(logicalId(stack.processors().thumbnailer().getRole())));
        principals.put("metadata", PolicyEvaluator.Principal.role(logicalId(stack.processors().metadata().getRole())));
        // The local edge stands in for CloudFront, which reads the buckets through origin access control.
        principals.put("edge", PolicyEvaluator.Principal.service("cloudfront.amazonaws.com"));
        // the journal's connector: MSK Connect runs it with its service execution role
        stack.kafka().journalConnector().ifPresent(role -> principals.put("journal",
                PolicyEvaluator.Principal.role(logicalId(role))));
        stack.releaseRoles().ifPresent(roles -> principals.put("smoke",
                PolicyEvaluator.Principal.role(logicalId(roles.smoke()))));
        return principals;
    }

    private static Map<LocalNames.Part, String> stackParts(Synth.Result synth, TemplateValues values) {
        FiletrailStack stack = synth.stacks().main();
        Map<LocalNames.Part, String> arns = new EnumMap<>(LocalNames.Part.class);
        arns.put(LocalNames.Part.SOURCE_BUCKET, values.getAtt(logicalId(stack.buckets().source()), "Arn"));
        arns.put(LocalNames.Part.DERIVATIVES_BUCKET, values.getAtt(logicalId(stack.buckets().derivatives()), "Arn"));
        arns.put(LocalNames.Part.INGEST_QUEUE, values.getAtt(logicalId(stack.ingest().queue()), "Arn"));
        arns.put(LocalNames.Part.INGEST_DLQ, values.getAtt(logicalId(stack.ingest().deadLetters()), "Arn"));
        arns.put(LocalNames.Part.OBJECT_EVENTS_TOPIC, values.getAtt(logicalId(stack.ingest().objectEvents()), "Arn"));
        arns.put(LocalNames.Part.PROCESSING_RESULTS_TOPIC,
                values.getAtt(logicalId(stack.ingest().processingResults()), "Arn"));
        arns.put(LocalNames.Part.JOURNAL_WAREHOUSE, values.getAtt(logicalId(stack.journal().warehouse()), "Arn"));
        arns.put(LocalNames.Part.THUMBNAILER_FUNCTION, values.getAtt(logicalId(stack.processors().thumbnailer()), "Arn"));
        arns.put(LocalNames.Part.METADATA_FUNCTION, values.getAtt(logicalId(stack.processors().metadata()), "Arn"));
        return arns;
    }

    static String logicalId(IConstruct construct) {
        CfnElement element = (CfnElement) construct.getNode().getDefaultChild();
        return (String) Stack.of(construct).resolve(element.getLogicalId());
    }
}
