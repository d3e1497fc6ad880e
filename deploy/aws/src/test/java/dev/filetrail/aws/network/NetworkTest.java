package dev.filetrail.aws.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class NetworkTest {
    private static final Template DEFAULTS = Synth.defaults().main();

    @Test
    void threeZonesWithPublicPrivateAndIsolatedSubnets() {
        DEFAULTS.resourceCountIs("AWS::EC2::Subnet", 9);
        DEFAULTS.resourceCountIs("AWS::EC2::NatGateway", 3);
        // Zones are resolved at deploy time, so synth needs no account and no zone is hard-coded.
        DEFAULTS.allResourcesProperties("AWS::EC2::Subnet", Map.of(
                "AvailabilityZone", Map.of("Fn::Select", List.of(Match.anyValue(), Map.of("Fn::GetAZs", "")))));
    }

    @Test
    void namedZonesAreUsedWhenGiven() {
        Template existing = Synth.existing().main();
        existing.resourceCountIs("AWS::EC2::Subnet", 6);
        existing.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone", "eu-west-1b"));
    }

    @Test
    void s3TrafficBypassesNatThroughAGatewayEndpoint() {
        DEFAULTS.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Gateway",
                "ServiceName", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(".s3"))))));
    }

    @Test
    void rejectedFlowsAreLogged() {
        DEFAULTS.hasResourceProperties("AWS::EC2::FlowLog", Map.of("TrafficType", "REJECT"));
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::EC2::FlowLog")).hasSize(1);
    }
}
