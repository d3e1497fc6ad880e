package dev.filetrail.aws.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.FiletrailApp;
import dev.filetrail.aws.ModuleHome;
import dev.filetrail.aws.Synth;
import dev.filetrail.aws.alarms.OperationalAlarms;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.assertions.Template;

/** The release pipeline's synthesized template: its stages and their order, its roles, and what they may do. */
class DeliveryPipelineStackTest {

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> actions(Map<String, Object> stage) {
        return (List<Map<String, Object>>) stage.get("Actions");
    }

    @SuppressWarnings("unchecked")
    private static String provider(Map<String, Object> action) {
        return (String) ((Map<String, Object>) action.get("ActionTypeId")).get("Provider");
    }

    private static Map<String, Object> stage(PipelineSynth.Result synth, String name) {
        return synth.stages().stream().filter(s -> s.get("Name").equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name));
    }

    /** The statements of the policies attached to a CodeBuild step's role, by the step's construct id. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(PipelineSynth.Result synth, String stepId) {
        String logicalId = roleLogicalId(synth, stepId);
        List<Map<String, Object>> found = new ArrayList<>();
        Synth.resources(synth.json(), "AWS::IAM::Policy").values().stream().map(Synth::properties)
                .filter(p -> Synth.list(p.get("Roles")).contains(Map.of("Ref", logicalId)))
                .forEach(p -> found.addAll((List<Map<String, Object>>) ((Map<String, Object>) p.get("PolicyDocument"))
                        .get("Statement")));
        assertThat(found).as("policies of " + stepId).isNotEmpty();
        return found;
    }

    private static String roleLogicalId(PipelineSynth.Result synth, String stepId) {
        return synth.stack().getLogicalId((CfnElement)
                synth.stack().stepRoles().get(stepId).getNode().getDefaultChild());
    }

    /** The name a step's role has in the template. */
    private static String roleName(PipelineSynth.Result synth, String stepId) {
        return (String) Synth.properties(Synth.resources(synth.json(), "AWS::IAM::Role")
                .get(roleLogicalId(synth, stepId))).get("RoleName");
    }

    /** The roles a step may assume, as the names at the end of their ARNs. */
    private static List<String> assumable(PipelineSynth.Result synth, String stepId) {
        return statements(synth, stepId).stream().filter(s -> Synth.list(s.get("Action")).contains("sts:AssumeRole"))
                .flatMap(s -> Synth.list(s.get("Resource")).stream())
                .map(r -> Json.MAPPER.valueToTree(r).toString())
                .map(arn -> arn.substring(arn.lastIndexOf(":role/") + ":role/".length()).replaceAll("[\"\\]}]", ""))
                .sorted().toList();
    }

    @Test
    void aCommitGoesThroughBuildStagingAndApprovalToProductionInThatOrder() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        assertThat(synth.stages()).extracting(s -> s.get("Name"))
                .containsExactly("Source", "Build", "UpdatePipeline", "Staging", "Approve", "Production");

        assertThat(actions(stage(synth, "Source"))).singleElement()
                .satisfies(a -> assertThat(provider(a)).isEqualTo("CodeStarSourceConnection"));
        assertThat(actions(stage(synth, "Approve"))).singleElement()
                .satisfies(a -> assertThat(provider(a)).isEqualTo("Manual"));
        // Topics and migrations with the new image before the services roll, the smoke check after.
        assertThat(actions(stage(synth, "Staging"))).extracting(a -> a.get("Name") + "@" + a.get("RunOrder"))
                .containsExactly("TopicsAndMigrations@1", "Deploy@2", "SmokeCheck@3");
        assertThat(actions(stage(synth, "Production"))).extracting(a -> a.get("Name") + "@" + a.get("RunOrder"))
                .containsExactly("TopicsAndMigrations@1", "Deploy@2");

        Map<String, Object> pipeline = Synth.properties(Synth.resources(synth.json(), "AWS::CodePipeline::Pipeline")
                .values().iterator().next());
        assertThat(pipeline).containsEntry("PipelineType", "V2").containsEntry("ExecutionMode", "SUPERSEDED")
                .containsEntry("RestartExecutionOnUpdate", true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void productionIsInSeoulAndGoesBackToTheLastGoodReleaseOnAFailureOrAnAlarm() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        assertThat(synth.stack().getRegion()).isEqualTo("ap-northeast-2");
        assertThat(synth.config().production().region()).isEqualTo("ap-northeast-2");

        Map<String, Object> production = stage(synth, "Production");
        assertThat(production.get("OnFailure")).isEqualTo(Map.of("Result", "ROLLBACK"));
        Map<String, Object> condition = ((List<Map<String, Object>>) ((Map<String, Object>) production.get("OnSuccess"))
                .get("Conditions")).get(0);
        assertThat(condition).containsEntry("Result", "ROLLBACK");
        Map<String, Object> rule = ((List<Map<String, Object>>) condition.get("Rules")).get(0);
        assertThat(rule).containsEntry("Region", "ap-northeast-2");
        assertThat(rule.get("RuleTypeId").toString()).contains("Provider=CloudWatchAlarm");
        assertThat(rule.get("Configuration")).isEqualTo(Map.of(
                "AlarmName", OperationalAlarms.releaseHealthName("Filetrail"), "WaitTime", "30"));

        // Staging with firing alarms fails: nothing reaches the approval from it.
        Map<String, Object> staging = stage(synth, "Staging");
        assertThat(staging).doesNotContainKey("OnFailure");
        assertThat(staging.get("OnSuccess").toString()).contains("Result=FAIL")
                .contains("AlarmName=" + OperationalAlarms.releaseHealthName("FiletrailStaging"));
    }

    @Test
    void theRegionsFollowTheConfiguration() {
        Map<String, Object> context = PipelineSynth.context();
        context.put("productionRegion", "us-west-2");
        context.put("stagingRegion", "eu-west-1");
        PipelineSynth.Result synth = PipelineSynth.of(context);
        assertThat(synth.stack().getRegion()).isEqualTo("us-west-2");
        assertThat(stage(synth, "Staging").get("OnSuccess").toString()).contains("Region=eu-west-1");
        assertThat(stage(synth, "Production").get("OnSuccess").toString()).contains("Region=us-west-2");
        assertThat(synth.environment("StagingPrepare")).containsEntry("STAGE_REGION", "eu-west-1");
        // The billing stack is in us-east-1, so production's deploy may use the bootstrap roles there too.
        assertThat(String.join(" ", assumable(synth, "ProductionDeploy"))).contains("us-west-2").contains("us-east-1")
                .doesNotContain("eu-west-1");
        assertThat(String.join(" ", assumable(synth, "StagingDeploy"))).contains("eu-west-1").doesNotContain("us-");
    }

    @Test
    void noLongLivedCredentialsAnywhere() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        String template = Json.MAPPER.valueToTree(synth.json()).toString();
        assertThat(Synth.resources(synth.json(), "AWS::IAM::User")).isEmpty();
        assertThat(Synth.resources(synth.json(), "AWS::IAM::AccessKey")).isEmpty();
        assertThat(Synth.resources(synth.json(), "AWS::SecretsManager::Secret")).isEmpty();
        // GitHub through a CodeConnections connection, not an OAuth token or a webhook secret.
        assertThat(template).doesNotContain("OAuthToken").doesNotContain("AWS_ACCESS_KEY_ID")
                .doesNotContain("AWS_SECRET_ACCESS_KEY");
        for (Map.Entry<String, Map<String, Object>> project
                : Synth.resources(synth.json(), "AWS::CodeBuild::Project").entrySet()) {
            String id = project.getKey().replaceAll("[0-9A-F]{8}$", "");
            assertThat(synth.environment(id).keySet()).as(id)
                    .noneMatch(name -> name.matches("(?i).*(secret|password|token|access_key).*"));
        }
        // Each role is assumed by an AWS service or by the pipeline's own role, never by a user or another account.
        for (Map<String, Object> role : Synth.resources(synth.json(), "AWS::IAM::Role").values()) {
            String trust = Synth.properties(role).get("AssumeRolePolicyDocument").toString();
            assertThat(trust).matches("(?s).*Principal=\\{(Service=(codebuild|codepipeline)\\.amazonaws\\.com"
                    + "|AWS=\\{Fn::GetAtt=\\[PipelineRole[0-9A-F]{8}, Arn]}).*");
            assertThat(Synth.properties(role)).doesNotContainKey("ManagedPolicyArns");
        }
    }

    @Test
    void eachStepMayAssumeOnlyTheRolesOfItsOwnStage() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        assertThat(assumable(synth, "StagingPrepare")).containsExactly("filetrailstaging-release");
        assertThat(assumable(synth, "StagingSmoke")).containsExactly("filetrailstaging-release", "filetrailstaging-smoke");
        assertThat(assumable(synth, "ProductionPrepare")).containsExactly("filetrail-release");
        assertThat(assumable(synth, "StagingDeploy")).hasSize(2)
                .allSatisfy(r -> assertThat(r).startsWith("cdk-hnb659fds-").endsWith("-ap-northeast-2"));
        assertThat(assumable(synth, "ProductionDeploy")).hasSize(4);
        assertThat(assumable(synth, "SelfUpdate")).hasSize(2);
        assertThat(synth.stack().stepRoles().keySet()).containsExactlyInAnyOrder("Build", "SelfUpdate",
                "StagingPrepare", "StagingDeploy", "StagingSmoke", "ProductionPrepare", "ProductionDeploy");
        // No production step may touch staging's roles and the other way round; no smoke check in production.
        assertThat(synth.stack().stepRoles()).doesNotContainKey("ProductionSmoke");

        // Apart from CodeBuild's own logs, reports and the artifact bucket, a step does nothing but assume roles.
        for (String step : List.of("SelfUpdate", "StagingPrepare", "StagingDeploy", "StagingSmoke", "ProductionPrepare",
                "ProductionDeploy")) {
            List<String> actions = statements(synth, step).stream().flatMap(s -> Synth.list(s.get("Action")).stream())
                    .map(Object::toString).distinct().toList();
            assertThat(actions).as(step)
                    .allSatisfy(action -> assertThat(action).matches(
                            "sts:AssumeRole|logs:(CreateLogGroup|CreateLogStream|PutLogEvents)|codebuild:\\w+Report\\w*"
                                    + "|codebuild:BatchPut\\w+|s3:(GetObject\\*|GetBucket\\*|List\\*)"));
        }
    }

    @Test
    void theBuildPushesOnlyToTheReleaseRepository() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        String images = synth.stack().getLogicalId((CfnElement)
                synth.stack().images().getNode().getDefaultChild());
        for (Map<String, Object> statement : statements(synth, "Build")) {
            List<Object> actions = Synth.list(statement.get("Action"));
            if (actions.stream().anyMatch(a -> a.toString().startsWith("ecr:"))) {
                assertThat(statement.get("Resource")).as(actions.toString()).isEqualTo(
                        actions.equals(List.of("ecr:GetAuthorizationToken")) ? "*"
                                : Map.of("Fn::GetAtt", List.of(images, "Arn")));
            }
        }
        Map<String, Object> repository = Synth.properties(Synth.resources(synth.json(), "AWS::ECR::Repository")
                .get(images));
        assertThat(repository).containsEntry("ImageTagMutability", "IMMUTABLE");
    }

    @Test
    void theStepRolesAreTheOnesTheStageStacksTrust() {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        FiletrailApp.Stacks staging = PipelineSynth.stage(synth.config().staging());
        assertThat(staging.main().releaseRoles()).isPresent();
        Map<String, Object> json = Template.fromStack(staging.main()).toJSON();
        Map<String, String> trust = new LinkedHashMap<>();
        for (Map<String, Object> role : Synth.resources(json, "AWS::IAM::Role").values()) {
            Map<String, Object> properties = Synth.properties(role);
            if (properties.get("RoleName") instanceof String name) {
                trust.put(name, properties.get("AssumeRolePolicyDocument").toString());
            }
        }
        assertThat(trust).containsKeys(PipelineNames.releaseRole("FiletrailStaging"), PipelineNames.smokeRole("FiletrailStaging"));
        String prepare = roleName(synth, "StagingPrepare");
        String smoke = roleName(synth, "StagingSmoke");
        String deploy = roleName(synth, "StagingDeploy");
        assertThat(trust.get("filetrailstaging-release")).contains(":role/" + prepare).contains(":role/" + smoke)
                .doesNotContain(":role/" + deploy);
        assertThat(trust.get("filetrailstaging-smoke")).contains(":role/" + smoke).doesNotContain(":role/" + prepare);
        // And the smoke step is told the ARN of that smoke role.
        assertThat(Json.MAPPER.valueToTree(synth.environment("StagingSmoke").get("SMOKE_ROLE_ARN")).toString())
                .contains(":role/filetrailstaging-smoke");
    }

    @Test
    void theBuildTestsThePackagesAndSynthesizesTheStagesWithThePipelinesOwnContext() throws IOException {
        PipelineSynth.Result synth = PipelineSynth.defaults();
        String spec = Synth.properties(synth.project("Build")).get("Source").toString();
        assertThat(spec).contains("bash " + DeliveryPipelineStack.SCRIPT + " build");
        Map<String, Object> env = synth.environment("Build");
        assertThat(Json.MAPPER.readValue(env.get("STAGING_CONTEXT").toString(), Map.class))
                .isEqualTo(synth.config().staging().context());
        assertThat(Json.MAPPER.readValue(env.get("PRODUCTION_CONTEXT").toString(), Map.class))
                .isEqualTo(synth.config().production().context());
        assertThat(Json.MAPPER.readValue(env.get("PIPELINE_CONTEXT").toString(), Map.class))
                .isEqualTo(Json.MAPPER.convertValue(synth.config().context(), Map.class));
        for (String step : List.of("SelfUpdate", "StagingPrepare", "StagingDeploy", "StagingSmoke")) {
            assertThat(Synth.properties(synth.project(step)).get("Source").toString()).as(step)
                    .contains("bash " + DeliveryPipelineStack.RELEASED_SCRIPT + " ");
        }

        // The script: the suite before the image, the image with Jib from the launcher module, topics before migrations.
        String script = Files.readString(ModuleHome.path().resolve("../..").resolve(DeliveryPipelineStack.SCRIPT)
                .normalize());
        assertThat(script).contains("mvn -B -ntp -pl deploy/launcher -am package jib:build");
        String build = script.substring(script.indexOf("\nbuild() {"));
        assertThat(build.indexOf("bash .ci/run")).isPositive().isLessThan(build.indexOf("image_build \"$image\""));
        String prepare = script.substring(script.indexOf("\nprepare() {"));
        assertThat(prepare.indexOf("[\"topics\",\"create\"]")).isPositive()
                .isLessThan(prepare.indexOf("[\"migrate\"]"));
    }

    @Test
    void theAppWithPipelineTrueSynthesizesThePipelineAlone() throws IOException {
        String key = PipelineSynth.STAGING_KEY.replace("\n", "\\n");
        String[] args = {"pipeline=true", "repository=filetrail/filetrail", "connectionArn=" + PipelineSynth.CONNECTION,
                "stagingContext={\"cloudFrontPublicKeyPem\":\"" + key + "\"}",
                "productionContext={\"cloudFrontPublicKeyPem\":\"" + key + "\"}"};
        Path written = FiletrailApp.synthesize(args, Files.createTempDirectory("pipeline-app"));
        try (var files = Files.list(written)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".template.json")))
                    .containsExactly("filetrail-pipeline.template.json");
        }
    }
}
