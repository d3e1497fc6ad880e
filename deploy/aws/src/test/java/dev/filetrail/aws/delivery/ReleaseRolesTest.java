package dev.filetrail.aws.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The roles a stack hands to the release pipeline that deploys it: who may assume them, and exactly what they allow. */
class ReleaseRolesTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> role(Synth.Result synth, String name) {
        return Synth.resources(synth.json(), "AWS::IAM::Role").values().stream().map(Synth::properties)
                .filter(p -> name.equals(p.get("RoleName"))).findFirst()
                .orElseThrow(() -> new AssertionError("no role " + name));
    }

    /** Every statement of the policies attached to the role with this logical-id prefix, as "actions -> resources". */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Synth.Result synth, String rolePrefix) {
        List<Map<String, Object>> found = new ArrayList<>();
        Synth.resources(synth.json(), "AWS::IAM::Policy").values().stream().map(Synth::properties)
                .filter(p -> p.get("Roles").toString().contains(rolePrefix))
                .forEach(p -> found.addAll((List<Map<String, Object>>) ((Map<String, Object>) p.get("PolicyDocument"))
                        .get("Statement")));
        return found;
    }

    private static List<String> actions(List<Map<String, Object>> statements) {
        return statements.stream().flatMap(s -> Synth.list(s.get("Action")).stream()).map(Object::toString).sorted().toList();
    }

    @Test
    void onlyAStackAPipelineDeliversHandsOutRoles() {
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::IAM::Role").values().stream().map(Synth::properties))
                .noneMatch(p -> String.valueOf(p.get("RoleName")).matches("filetrail-(release|smoke)"));
        assertThat(Synth.defaults().stacks().main().releaseRoles()).isEmpty();
        assertThat(Synth.delivered(Map.of()).stacks().main().releaseRoles()).isPresent();
    }

    @Test
    void eachRoleMayBeAssumedOnlyByItsPipelineSteps() {
        Synth.Result synth = Synth.delivered(Map.of());
        String release = role(synth, PipelineNames.releaseRole("Filetrail")).get("AssumeRolePolicyDocument").toString();
        assertThat(release).contains("sts:AssumeRole").contains(":root")
                .contains("ArnEquals").contains("aws:PrincipalArn")
                .contains(":role/filetrail-filetrail-prepare").contains(":role/filetrail-filetrail-smoke")
                .doesNotContain("-deploy");
        String smoke = role(synth, PipelineNames.smokeRole("Filetrail")).get("AssumeRolePolicyDocument").toString();
        assertThat(smoke).contains(":role/filetrail-filetrail-smoke").doesNotContain("-prepare").contains("ArnEquals");
    }

    @Test
    void theReleaseRoleRunsOnlyTheOpsTaskOnThisClusterWithItsOwnRoles() {
        Synth.Result synth = Synth.delivered(Map.of());
        List<Map<String, Object>> statements = statements(synth, "DeliveryRelease");
        assertThat(actions(statements)).containsExactly("cloudformation:DescribeStacks", "ecs:DescribeTaskDefinition",
                "ecs:DescribeTasks", "ecs:RegisterTaskDefinition", "ecs:RunTask", "iam:PassRole", "logs:GetLogEvents");
        Map<String, Object> run = only(statements, "ecs:RunTask");
        assertThat(run.get("Resource").toString()).contains(":task-definition/filetrail-ops:*");
        assertThat(run.get("Condition").toString()).contains("ecs:cluster").contains("ServicesCluster");
        Map<String, Object> pass = only(statements, "iam:PassRole");
        assertThat(Synth.list(pass.get("Resource"))).hasSize(2).allSatisfy(r -> assertThat(r.toString())
                .containsAnyOf("ServicesOpsTaskRole", "ServicesOpsTaskExecutionRole"));
        assertThat(pass.get("Condition").toString()).contains("iam:PassedToService=ecs-tasks.amazonaws.com");
        assertThat(only(statements, "logs:GetLogEvents").get("Resource").toString()).contains("ServicesOpsLogs");
        assertThat(only(statements, "cloudformation:DescribeStacks").get("Resource")).isEqualTo(Map.of("Ref", "AWS::StackId"));
        assertThat(only(statements, "ecs:DescribeTasks").get("Resource").toString()).contains(":task/");
    }

    @Test
    void theSmokeRoleWritesOnlyUnderTheSmokePrefixOfTheSourceBucket() {
        List<Map<String, Object>> plain = statements(Synth.delivered(Map.of()), "DeliverySmoke");
        assertThat(actions(plain)).containsExactly("s3:DeleteObjectVersion", "s3:PutObject");
        assertThat(plain).singleElement().satisfies(s -> assertThat(s.get("Resource").toString())
                .contains("BucketsSource").contains("/" + ReleaseRoles.SMOKE_PREFIX + "*"));
        // With KMS, S3 asks for a data key on the writer's behalf.
        List<Map<String, Object>> kms = statements(Synth.delivered(Synth.tunedContext()), "DeliverySmoke");
        assertThat(actions(kms)).containsExactly("kms:GenerateDataKey", "s3:DeleteObjectVersion", "s3:PutObject");
        assertThat(only(kms, "kms:GenerateDataKey").get("Resource").toString()).contains("DataKey");
    }

    @Test
    void theStackNamesTheRolesAndTheAlarmInItsOutputs() {
        Map<String, ?> outputs = Synth.delivered(Map.of()).main().findOutputs("*", Map.of());
        assertThat(outputs).containsKeys("ReleaseRoleArn", "SmokeRoleArn", "ReleaseHealthAlarmName");
        assertThat(Synth.defaults().main().findOutputs("*", Map.of())).containsKey("ReleaseHealthAlarmName")
                .doesNotContainKeys("ReleaseRoleArn", "SmokeRoleArn");
    }

    private static Map<String, Object> only(List<Map<String, Object>> statements, String action) {
        List<Map<String, Object>> matching = statements.stream()
                .filter(s -> Synth.list(s.get("Action")).contains(action)).toList();
        assertThat(matching).as(action).hasSize(1);
        return matching.get(0);
    }
}
