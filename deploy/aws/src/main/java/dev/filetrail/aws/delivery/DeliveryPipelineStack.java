package dev.filetrail.aws.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.aws.alarms.OperationalAlarms;
import dev.filetrail.events.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Cache;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.IBuildImage;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LocalCacheMode;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Condition;
import software.amazon.awscdk.services.codepipeline.Conditions;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.FailureConditions;
import software.amazon.awscdk.services.codepipeline.IAction;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.Result;
import software.amazon.awscdk.services.codepipeline.Rule;
import software.amazon.awscdk.services.codepipeline.RuleProps;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.CodeStarConnectionsSourceAction;
import software.amazon.awscdk.services.codepipeline.actions.ManualApprovalAction;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.constructs.Construct;

/**
 * The release pipeline (CodePipeline V2, CodeBuild): Source (GitHub through a CodeConnections connection) → Build
 * ({@code .ci/run}, the image pushed with Jib, the stage and pipeline assemblies synthesized) → UpdatePipeline (the
 * pipeline deploys its own new definition, then restarts) → Staging (ops task with the new image runs
 * {@code topics create} and {@code migrate}; deploy; {@code filetrail smoke}; the stage's alarms watched for a bake
 * time, a firing one fails it) → Approve (manual) → Production (the same steps without the smoke check; a failure or
 * a firing alarm rolls the stage back to the last release that succeeded there). Every step runs
 * {@value #SCRIPT}, from the release artifact, so a rollback re-runs exactly the old release.
 */
public final class DeliveryPipelineStack extends Stack {
    /** The script with every step's commands; the Build step runs it from the source, later steps from the artifact. */
    public static final String SCRIPT = "deploy/aws/pipeline/release.sh";
    /** Where the Build step puts the script in the release artifact. */
    static final String RELEASED_SCRIPT = "scripts/release.sh";
    /** The image of every step but Build: CodeBuild's own, with Java 17, node 20, the AWS CLI and jq. */
    static final IBuildImage STEP_IMAGE = LinuxBuildImage.STANDARD_7_0;

    private final PipelineConfig config;
    private final Pipeline pipeline;
    private final Repository images;
    private final Map<String, Role> stepRoles = new LinkedHashMap<>();

    public DeliveryPipelineStack(Construct scope, PipelineConfig config) {
        super(scope, config.stackName(), StackProps.builder()
                .stackName(config.stackName())
                // Beside production: the pipeline lives and dies with the stage it protects most.
                .env(Environment.builder().region(config.production().region()).build())
                .description("Filetrail release pipeline: " + config.repository() + "@" + config.branch()
                        + " to " + config.staging().stackName() + " and " + config.production().stackName())
                .terminationProtection(true)
                .build());
        this.config = config;

        Bucket artifacts = Bucket.Builder.create(this, "Artifacts")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                // A rollback re-runs an earlier release's artifact: keep releases long enough to go back to them.
                .lifecycleRules(List.of(software.amazon.awscdk.services.s3.LifecycleRule.builder()
                        .expiration(Duration.days(180)).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        images = Repository.Builder.create(this, "Images")
                .repositoryName(config.name() + "-release")
                // One commit, one tag, forever: staging and production run the very image that was tested.
                .imageTagMutability(TagMutability.IMMUTABLE)
                .imageScanOnPush(true)
                .lifecycleRules(List.of(LifecycleRule.builder().description("keep the last 200 releases")
                        .maxImageCount(200).build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        Artifact source = Artifact.artifact("Source");
        Artifact release = Artifact.artifact("Release");
        // Apart from the release, so only the smoke check downloads the launcher and its libraries.
        Artifact launcher = Artifact.artifact("Launcher");
        String[] repository = config.repository().split("/", 2);
        CodeStarConnectionsSourceAction checkout = CodeStarConnectionsSourceAction.Builder.create()
                .actionName("Checkout")
                .connectionArn(config.connectionArn())
                .owner(repository[0])
                .repo(repository[1])
                .branch(config.branch())
                .triggerOnPush(true)
                .variablesNamespace("Source")
                .output(source)
                .build();

        pipeline = Pipeline.Builder.create(this, "Pipeline")
                .pipelineName(config.name())
                .pipelineType(PipelineType.V2)
                // A newer release overtakes one still waiting (for approval, say); stage rollback needs this mode.
                .executionMode(ExecutionMode.SUPERSEDED)
                .artifactBucket(artifacts)
                // After UpdatePipeline changed the pipeline, the release starts again on the new definition.
                .restartExecutionOnUpdate(true)
                .build();

        pipeline.addStage(StageOptions.builder().stageName("Source").actions(List.<IAction>of(checkout)).build());
        pipeline.addStage(StageOptions.builder().stageName("Build").actions(List.<IAction>of(
                CodeBuildAction.Builder.create()
                        .actionName("TestAndPackage")
                        .project(buildProject())
                        .input(source)
                        .outputs(List.of(release, launcher))
                        .environmentVariables(Map.of("COMMIT_ID", BuildEnvironmentVariable.builder()
                                .value(checkout.getVariables().getCommitId()).build()))
                        .build())).build());
        pipeline.addStage(StageOptions.builder().stageName("UpdatePipeline").actions(List.<IAction>of(
                step("SelfUpdate", "SelfUpdate", "update", config.name() + "-update", Duration.minutes(30), release,
                        List.of(), 1,
                        Map.of("CDK_VERSION", config.cdkCliVersion(), "ASSEMBLY", "pipeline",
                                "STACKS", config.stackName()),
                        bootstrapRoles(List.of(config.production().region()))))).build());

        PipelineConfig.Stage staging = config.staging();
        pipeline.addStage(StageOptions.builder()
                .stageName(staging.id())
                .actions(List.of(prepare(staging, release), deploy(staging, release), smoke(staging, release, launcher)))
                // Nothing is promoted from a staging whose alarms fire during the bake time.
                .onSuccess(watchAlarms(staging, Result.FAIL))
                .build());

        ManualApprovalAction.Builder approve = ManualApprovalAction.Builder.create()
                .actionName("PromoteToProduction")
                .additionalInformation("Staging (" + staging.stackName() + ") passed its smoke check and stayed "
                        + "without alarms for " + staging.bakeMinutes() + " minutes. Approve to deploy the same image "
                        + "to " + config.production().stackName() + " in " + config.production().region() + ".");
        config.approvalEmail().ifPresent(email -> approve.notifyEmails(List.of(email)));
        pipeline.addStage(StageOptions.builder().stageName("Approve").actions(List.<IAction>of(approve.build())).build());

        PipelineConfig.Stage production = config.production();
        pipeline.addStage(StageOptions.builder()
                .stageName(production.id())
                .actions(List.of(prepare(production, release), deploy(production, release)))
                // Alarms during the bake time, or a failed step: back to the release that last succeeded here.
                .onSuccess(watchAlarms(production, Result.ROLLBACK))
                .onFailure(FailureConditions.builder().result(Result.ROLLBACK).build())
                .build());

        CfnOutput.Builder.create(this, "PipelineName").value(pipeline.getPipelineName())
                .description("aws codepipeline get-pipeline-state --name <this>").build();
        CfnOutput.Builder.create(this, "ImageRepositoryUri").value(images.getRepositoryUri())
                .description("Release images, tagged with their commit; the stages run them from here").build();
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public Repository images() {
        return images;
    }

    /** The role of each CodeBuild step, by its project's construct id (Build, SelfUpdate, StagingPrepare, …). */
    public Map<String, Role> stepRoles() {
        return Map.copyOf(stepRoles);
    }

    public PipelineConfig config() {
        return config;
    }

    /** Tests the commit with .ci/run, pushes its image, synthesizes the assemblies: everything later steps deploy. */
    private PipelineProject buildProject() {
        Role role = role("Build", config.name() + "-build");
        // Jib pushes layers and the manifest; DescribeImages finds a tag pushed by an earlier attempt (tags are
        // immutable, so a retried build must not push again).
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                        "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                        "ecr:DescribeImages"))
                .resources(List.of(images.getRepositoryArn())).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecr:GetAuthorizationToken")).resources(List.of("*")).build());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("version", "0.2");
        spec.put("env", Map.of("shell", "bash"));
        spec.put("phases", Map.of(
                "install", Map.of("commands", List.of("bash " + SCRIPT + " install")),
                "build", Map.of("commands", List.of("bash " + SCRIPT + " build"))));
        spec.put("artifacts", Map.of("secondary-artifacts", Map.of(
                "Release", Map.of("base-directory", "release", "files", List.of("**/*")),
                "Launcher", Map.of("base-directory", "launcher", "files", List.of("**/*")))));
        spec.put("cache", Map.of("paths", List.of("/root/.m2/**/*", "/root/.npm/**/*")));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINE_NAME", config.name());
        env.put("IMAGE_REPOSITORY", images.getRepositoryUri());
        env.put("STAGING_CONTEXT", json(config.staging().context()));
        env.put("PRODUCTION_CONTEXT", json(config.production().context()));
        env.put("PIPELINE_CONTEXT", json(config.context()));
        return PipelineProject.Builder.create(this, "Build")
                .projectName(config.name() + "-build")
                .description("Runs .ci/run on the commit, pushes its image, synthesizes what the stages deploy")
                .role(role)
                .environment(BuildEnvironment.builder()
                        // Debian, like the machines .ci/run is made for (it installs Debian's chromium and kcat).
                        .buildImage(LinuxBuildImage.fromDockerRegistry(config.buildImage()))
                        // The suite starts Kafka, PostgreSQL, S3, SQS and Chromium in one JVM and a few children.
                        .computeType(ComputeType.LARGE)
                        .build())
                .environmentVariables(variables(env))
                .buildSpec(BuildSpec.fromObject(spec))
                .cache(Cache.local(LocalCacheMode.CUSTOM))
                .timeout(Duration.minutes(90))
                .build();
    }

    /** Topics, then migrations, with the new image, before any service of the stage rolls. */
    private CodeBuildAction prepare(PipelineConfig.Stage stage, Artifact release) {
        String stepRole = PipelineNames.stepRole(config.name(), stage.stackName(), PipelineNames.PREPARE);
        return step(stage.id() + "Prepare", "TopicsAndMigrations", PipelineNames.PREPARE, stepRole,
                Duration.minutes(60), release, List.of(), 1,
                stageVariables(stage), List.of(assume(List.of(stageRole(PipelineNames.releaseRole(stage.stackName()))))));
    }

    private CodeBuildAction deploy(PipelineConfig.Stage stage, Artifact release) {
        String stepRole = PipelineNames.stepRole(config.name(), stage.stackName(), PipelineNames.DEPLOY);
        // Updates of MSK or Aurora can take their time; CloudFormation waits for the services to settle.
        return step(stage.id() + "Deploy", "Deploy", PipelineNames.DEPLOY, stepRole, Duration.hours(3), release,
                List.of(), 2,
                Map.of("CDK_VERSION", config.cdkCliVersion(), "ASSEMBLY", stage.id().toLowerCase(),
                        "STACKS", String.join(" ", stage.stacks())),
                bootstrapRoles(stage.regions()));
    }

    private CodeBuildAction smoke(PipelineConfig.Stage stage, Artifact release, Artifact launcher) {
        String stepRole = PipelineNames.stepRole(config.name(), stage.stackName(), PipelineNames.SMOKE);
        Map<String, String> env = new LinkedHashMap<>(stageVariables(stage));
        env.put("SMOKE_ROLE_ARN", stageRole(PipelineNames.smokeRole(stage.stackName())));
        return step(stage.id() + "Smoke", "SmokeCheck", PipelineNames.SMOKE, stepRole, Duration.minutes(30), release,
                List.of(launcher), 3, env, List.of(assume(List.of(stageRole(PipelineNames.releaseRole(stage.stackName())),
                        stageRole(PipelineNames.smokeRole(stage.stackName()))))));
    }

    private Map<String, String> stageVariables(PipelineConfig.Stage stage) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINE_NAME", config.name());
        env.put("STACK", stage.stackName());
        env.put("STAGE_REGION", stage.region());
        env.put("RELEASE_ROLE_ARN", stageRole(PipelineNames.releaseRole(stage.stackName())));
        return env;
    }

    /** One CodeBuild step: {@code release.sh <command>} from the release artifact, with a role of its own. */
    private CodeBuildAction step(String id, String actionName, String command, String roleName, Duration timeout,
                                 Artifact release, List<Artifact> extraInputs, int runOrder, Map<String, String> env,
                                 List<PolicyStatement> statements) {
        Role role = role(id, roleName);
        statements.forEach(role::addToPrincipalPolicy);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("version", "0.2");
        spec.put("env", Map.of("shell", "bash"));
        spec.put("phases", Map.of(
                "install", Map.of("runtime-versions", Map.of("java", "corretto17", "nodejs", "20")),
                "build", Map.of("commands", List.of("bash " + RELEASED_SCRIPT + " " + command))));
        PipelineProject project = PipelineProject.Builder.create(this, id)
                .projectName(config.name() + "-" + id.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase())
                .role(role)
                .environment(BuildEnvironment.builder().buildImage(STEP_IMAGE).computeType(ComputeType.SMALL).build())
                .environmentVariables(variables(env))
                .buildSpec(BuildSpec.fromObject(spec))
                .timeout(timeout)
                .build();
        return CodeBuildAction.Builder.create()
                .actionName(actionName)
                .project(project)
                .input(release)
                .extraInputs(extraInputs)
                .runOrder(runOrder)
                .build();
    }

    /** A step's own role, which only CodeBuild can assume. */
    private Role role(String id, String name) {
        Role role = Role.Builder.create(this, id + "Role")
                .roleName(name)
                .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
                .description("Filetrail release pipeline " + config.name() + ": " + id)
                .build();
        stepRoles.put(id, role);
        return role;
    }

    /**
     * After a stage's steps succeeded, CodePipeline watches its composite alarm for the bake time; if the alarm is
     * in ALARM, {@code result} applies (FAIL: no promotion; ROLLBACK: the previous release is deployed again).
     */
    private Conditions watchAlarms(PipelineConfig.Stage stage, Result result) {
        ObjectNode configuration = JsonNodeFactory.instance.objectNode();
        configuration.put("AlarmName", OperationalAlarms.releaseHealthName(stage.stackName()));
        configuration.put("WaitTime", Integer.toString(stage.bakeMinutes()));
        Rule rule = new Rule(RuleProps.builder()
                .name(stage.id() + "AlarmsQuiet")
                .provider("CloudWatchAlarm")
                .version("1")
                .region(stage.region())
                .configuration(configuration)
                .build());
        // The rule reads the alarm as the pipeline's role.
        pipeline.addToRolePolicy(PolicyStatement.Builder.create()
                .actions(List.of("cloudwatch:DescribeAlarms"))
                .resources(List.of("arn:" + Aws.PARTITION + ":cloudwatch:" + stage.region() + ":" + Aws.ACCOUNT_ID
                        + ":alarm:" + OperationalAlarms.releaseHealthName(stage.stackName())))
                .build());
        return Conditions.builder().conditions(List.of(Condition.builder().result(result).rules(List.of(rule)).build()))
                .build();
    }

    /** A role of a stage stack, by its fixed name (ReleaseRoles). */
    private static String stageRole(String name) {
        return "arn:" + Aws.PARTITION + ":iam::" + Aws.ACCOUNT_ID + ":role/" + name;
    }

    private static PolicyStatement assume(List<String> roleArns) {
        return PolicyStatement.Builder.create().actions(List.of("sts:AssumeRole")).resources(roleArns).build();
    }

    /**
     * {@code cdk deploy} needs nothing itself: it assumes the roles {@code cdk bootstrap} made in each region (deploy
     * through CloudFormation, publish file assets such as the Lambda jar), whose rights the bootstrap defines.
     */
    private List<PolicyStatement> bootstrapRoles(List<String> regions) {
        return List.of(assume(regions.stream().flatMap(region -> List.of("deploy-role", "file-publishing-role").stream()
                .map(kind -> stageRole("cdk-" + config.bootstrapQualifier() + "-" + kind + "-" + Aws.ACCOUNT_ID + "-"
                        + region))).toList()));
    }

    private static Map<String, BuildEnvironmentVariable> variables(Map<String, String> env) {
        Map<String, BuildEnvironmentVariable> variables = new LinkedHashMap<>();
        env.forEach((name, value) -> variables.put(name, BuildEnvironmentVariable.builder().value(value).build()));
        return variables;
    }

    private static String json(Map<String, ?> map) {
        try {
            return Json.MAPPER.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the context as JSON", e);
        }
    }
}
