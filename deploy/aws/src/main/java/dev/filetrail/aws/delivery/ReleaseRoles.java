package dev.filetrail.aws.delivery;

import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.services.FiletrailServices;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * The roles this stack hands to the release pipeline that deploys it ({@code deliveredBy}): the stack knows its own
 * resources, so it can grant exactly them, and the pipeline's step roles only get to assume these.
 * <ul>
 * <li>release: run the ops task for a release ({@code topics create}, {@code migrate} with the new image,
 * {@code keys create/revoke} for the smoke key): register a revision of the ops task definition, run it on this
 * cluster, pass it its two roles, read its log and this stack's outputs.</li>
 * <li>smoke: what {@code filetrail smoke} calls, and nothing else: put and delete versions under {@code _smoke/} in
 * the source bucket.</li>
 * </ul>
 */
public final class ReleaseRoles extends Construct {
    /** Where the smoke check writes, the only place the smoke role may. */
    public static final String SMOKE_PREFIX = "_smoke/";

    /** What the roles act on. */
    public record Wiring(FiletrailServices services, IBucket source, Optional<IKey> key) {
    }

    private final Role release;
    private final Role smoke;

    public ReleaseRoles(Construct scope, String id, StackConfig config, Wiring wiring) {
        super(scope, id);
        String pipeline = config.deliveredBy().orElseThrow();
        String stackName = config.stackName();
        String prepareStep = PipelineNames.stepRole(pipeline, stackName, PipelineNames.PREPARE);
        String smokeStep = PipelineNames.stepRole(pipeline, stackName, PipelineNames.SMOKE);

        // The smoke step registers and revokes its key through the ops task, so it may assume this one too.
        release = role("Release", PipelineNames.releaseRole(stackName), List.of(prepareStep, smokeStep),
                "Ops tasks of a release of " + stackName + " by the " + pipeline + " pipeline");
        FiletrailServices services = wiring.services();
        Stack stack = Stack.of(this);
        String family = services.ops().getFamily();
        // IAM has no resource-level permission for these two: any task definition may be read or registered, but
        // only the ops family runs (below), and only with the ops roles (PassRole).
        allow(release, List.of("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"), List.of("*"), null);
        allow(release, List.of("ecs:RunTask"), List.of(stack.formatArn(ArnComponents.builder()
                        .service("ecs").resource("task-definition").resourceName(family + ":*")
                        .arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())),
                Map.of("ArnEquals", Map.of("ecs:cluster", services.cluster().getClusterArn())));
        allow(release, List.of("ecs:DescribeTasks"), List.of(stack.formatArn(ArnComponents.builder()
                .service("ecs").resource("task").resourceName(services.cluster().getClusterName() + "/*")
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())), null);
        allow(release, List.of("iam:PassRole"), List.of(services.ops().getTaskRole().getRoleArn(),
                        services.ops().obtainExecutionRole().getRoleArn()),
                Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
        allow(release, List.of("logs:GetLogEvents"), List.of(services.logs("ops").getLogGroupArn()), null);
        allow(release, List.of("cloudformation:DescribeStacks"), List.of(Aws.STACK_ID), null);

        smoke = role("Smoke", PipelineNames.smokeRole(stackName), List.of(smokeStep),
                "filetrail smoke against " + stackName + " by the " + pipeline + " pipeline");
        allow(smoke, List.of("s3:PutObject", "s3:DeleteObjectVersion"),
                List.of(wiring.source().arnForObjects(SMOKE_PREFIX + "*")), null);
        // S3 asks KMS for a data key when the object enters an SSE-KMS bucket.
        wiring.key().ifPresent(k -> allow(smoke, List.of("kms:GenerateDataKey"), List.of(k.getKeyArn()), null));
    }

    /** Assumable only by the named roles of the pipeline's steps in this account. */
    private Role role(String id, String name, List<String> stepRoles, String description) {
        return Role.Builder.create(this, id)
                .roleName(name)
                .description(description)
                .assumedBy(new AccountRootPrincipal().withConditions(Map.of("ArnEquals", Map.of("aws:PrincipalArn",
                        stepRoles.stream().map(step -> "arn:" + Aws.PARTITION + ":iam::" + Aws.ACCOUNT_ID + ":role/"
                                + step).toList()))))
                .build();
    }

    private static void allow(Role role, List<String> actions, List<String> resources, Map<String, Object> conditions) {
        PolicyStatement.Builder statement = PolicyStatement.Builder.create().actions(actions).resources(resources);
        if (conditions != null) {
            statement.conditions(conditions);
        }
        role.addToPrincipalPolicy(statement.build());
    }

    public Role release() {
        return release;
    }

    public Role smoke() {
        return smoke;
    }
}
