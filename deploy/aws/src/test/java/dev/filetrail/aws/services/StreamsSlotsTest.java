package dev.filetrail.aws.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.aws.ContextValues;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The streams slots: state on a host volume that outlives the task, standbys, static membership, racks. */
class StreamsSlotsTest {
    private static final Template DEFAULTS = Synth.defaults().main();

    private static Map<String, Object> slotTask(String slot, Map<String, Object> container) {
        Map<String, Object> matcher = new java.util.LinkedHashMap<>(container);
        matcher.put("Name", "streams");
        return Map.of("Family", "filetrail-streams-" + slot,
                "ContainerDefinitions", List.of(Match.objectLike(matcher)));
    }

    private static Object env(String name, Object value) {
        return Map.of("Name", name, "Value", value);
    }

    @Test
    void eachSlotKeepsItsStateInAHostDirectoryOnItsOwnHostsVolume() {
        for (String slot : List.of("0", "1")) {
            DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                    "Family", "filetrail-streams-" + slot,
                    "NetworkMode", "awsvpc",
                    "RequiresCompatibilities", List.of("EC2"),
                    "Volumes", List.of(Map.of("Name", "state",
                            "Host", Map.of("SourcePath", "/var/lib/filetrail-streams"))),
                    "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                            "Name", "streams",
                            "MountPoints", List.of(Map.of("SourceVolume", "state",
                                    "ContainerPath", "/var/lib/filetrail-streams", "ReadOnly", false)),
                            "Environment", Match.arrayWith(List.of(
                                    env("STREAMS_STATE_DIR", "/var/lib/filetrail-streams/state"))))))));
            // One host per slot, in one zone: the host's root volume (gp3, encrypted) holds RocksDB.
            DEFAULTS.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Map.of(
                    "MinSize", "1", "MaxSize", "1",
                    "VPCZoneIdentifier", List.of(Map.of("Ref", Match.stringLikeRegexp("NetworkVpcprivateSubnet" + (Integer.parseInt(slot) + 1) + "Subnet.*"))),
                    "LaunchTemplate", Match.objectLike(Map.of("LaunchTemplateId",
                            Map.of("Ref", Match.stringLikeRegexp("ServicesStreamsSlotsHostTemplate" + slot + ".*"))))));
        }
        DEFAULTS.hasResourceProperties("AWS::EC2::LaunchTemplate", Map.of("LaunchTemplateData", Match.objectLike(Map.of(
                "InstanceType", "m7i.large",
                "BlockDeviceMappings", List.of(Map.of("DeviceName", "/dev/xvda",
                        "Ebs", Map.of("DeleteOnTermination", true, "Encrypted", true, "VolumeSize", 200,
                                "VolumeType", "gp3"))),
                "MetadataOptions", Match.objectLike(Map.of("HttpTokens", "required"))))));
        // The image's unprivileged user owns the host directory (root-filesystem.sh's nonroot, 65532).
        assertThat(DEFAULTS.findResources("AWS::EC2::LaunchTemplate").toString())
                .contains("chown 65532:65532 /var/lib/filetrail-streams");
        // Two slots, two hosts, no more.
        assertThat(DEFAULTS.findResources("AWS::AutoScaling::AutoScalingGroup")).hasSize(2);
    }

    @Test
    void slotsAreStaticMembersWithTheirZoneAsRackAndOneStandbyElsewhere() {
        for (int slot = 0; slot < 2; slot++) {
            DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", slotTask(Integer.toString(slot), Map.of(
                    "Environment", Match.arrayWith(List.of(
                            env("STREAMS_APPLICATION_ID", "filetrail-metadata-streams"),
                            env("STREAMS_INSTANCE_ID", "filetrail-streams-" + slot),
                            // MSK names its brokers' racks by zone id: the same ids make min_traffic work.
                            env("STREAMS_RACK", Map.of("Fn::GetAtt", List.of(
                                    Match.stringLikeRegexp("NetworkVpcprivateSubnet" + (slot + 1) + "Subnet.*"),
                                    "AvailabilityZoneId"))),
                            env("STREAMS_RACK_AWARE_STRATEGY", "min_traffic"),
                            env("STREAMS_STANDBY_REPLICAS", "1"),
                            env("STREAMS_SESSION_TIMEOUT_MS", "120000"))))));
        }
    }

    @Test
    void aDeploymentReplacesOneSlotAtATimeStoppingTheOldTaskFirst() {
        DEFAULTS.hasResourceProperties("AWS::ECS::Service", Map.of(
                "ServiceName", "filetrail-streams-1",
                "DeploymentConfiguration", Match.objectLike(Map.of(
                        "MinimumHealthyPercent", 0, "MaximumPercent", 100))));
        Map<String, Map<String, Object>> services = DEFAULTS.findResources("AWS::ECS::Service", Map.of(
                "Properties", Map.of("ServiceName", "filetrail-streams-1")));
        assertThat(services).hasSize(1);
        Object dependsOn = services.values().iterator().next().get("DependsOn");
        assertThat(DEFAULTS.findResources("AWS::ECS::ClusterCapacityProviderAssociations")).hasSize(1);
        assertThat(String.valueOf(dependsOn)).contains("ServicesStreamsSlotsService0")
                // ...and on the cluster's capacity provider associations, which the strategy names.
                .contains(DEFAULTS.findResources("AWS::ECS::ClusterCapacityProviderAssociations").keySet());
        // A clean close writes the stores' offsets: the container gets a minute to stop.
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", slotTask("0", Map.of("StopTimeout", 60)));
    }

    @Test
    void slotsHostsAndStandbysFollowTheContext() {
        Template three = Synth.of(Map.of("streamsSlots", "3", "streamsStandbyReplicas", "2",
                "streamsVolumeGb", "500", "cpuArchitecture", "arm64")).main();
        three.resourceCountIs("AWS::AutoScaling::AutoScalingGroup", 3);
        three.hasResourceProperties("AWS::ECS::Service", Map.of("ServiceName", "filetrail-streams-2"));
        three.hasResourceProperties("AWS::ECS::TaskDefinition", slotTask("2", Map.of(
                "Environment", Match.arrayWith(List.of(env("STREAMS_STANDBY_REPLICAS", "2"))))));
        three.hasResourceProperties("AWS::EC2::LaunchTemplate", Map.of("LaunchTemplateData", Match.objectLike(Map.of(
                "InstanceType", "m7g.large",
                "BlockDeviceMappings", List.of(Match.objectLike(Map.of("Ebs", Match.objectLike(Map.of(
                        "VolumeSize", 500)))))))));
        // Paused (first deploy): no host runs and no task is asked for.
        Template paused = Synth.of(Map.of("pauseServices", "true")).main();
        paused.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", Map.of("MinSize", "0", "MaxSize", "1"));
        paused.hasResourceProperties("AWS::ECS::Service", Map.of("ServiceName", "filetrail-streams-0",
                "DesiredCount", 0));
    }

    @Test
    void aStandbyNeedsAnotherSlot() {
        assertThatThrownBy(() -> StackConfig.from(new ContextValues(Map.<String, Object>of(
                "streamsSlots", "1")::get)))
                .hasMessageContaining("streamsStandbyReplicas");
        assertThat(StackConfig.from(new ContextValues(Map.<String, Object>of("streamsSlots", "1",
                "streamsStandbyReplicas", "0")::get)).services().streams().minTasks()).isEqualTo(1);
        assertThatThrownBy(() -> StackConfig.from(new ContextValues(Map.<String, Object>of(
                "streamsVolumeGb", "8")::get))).hasMessageContaining("streamsVolumeGb");
    }
}
