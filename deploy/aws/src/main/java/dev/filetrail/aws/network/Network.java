package dev.filetrail.aws.network;

import dev.filetrail.aws.LogGroups;
import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointOptions;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/** The VPC: public subnets for the load balancer and NAT, private ones for tasks, isolated ones for data stores. */
public final class Network extends Construct {
    private final Vpc vpc;

    public Network(Construct scope, String id, StackConfig config) {
        super(scope, id);
        LogGroup flowLogs = LogGroups.create(this, "FlowLogs", config, RemovalPolicy.DESTROY);
        vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr("10.40.0.0/16"))
                // Named zones, or the region's first zones by Fn::GetAZs: either way synth needs no account lookup.
                .availabilityZones(zones(config))
                .natGateways(config.natGateways())
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build(),
                        SubnetConfiguration.builder().name("private").subnetType(SubnetType.PRIVATE_WITH_EGRESS)
                                .cidrMask(20).build(),
                        SubnetConfiguration.builder().name("data").subnetType(SubnetType.PRIVATE_ISOLATED)
                                .cidrMask(24).build()))
                // S3 traffic from tasks goes through the free gateway endpoint, not the per-GB NAT.
                .gatewayEndpoints(Map.of("S3", GatewayVpcEndpointOptions.builder()
                        .service(GatewayVpcEndpointAwsService.S3).build()))
                // Rejected flows only: they are what an investigation needs, at a fraction of the volume.
                .flowLogs(Map.of("Rejected", FlowLogOptions.builder()
                        .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                        .trafficType(FlowLogTrafficType.REJECT).build()))
                .build();
    }

    private static List<String> zones(StackConfig config) {
        if (!config.availabilityZones().isEmpty()) {
            return config.availabilityZones();
        }
        List<String> all = Fn.getAzs();
        return IntStream.range(0, config.zoneCount()).mapToObj(i -> Fn.select(i, all)).toList();
    }

    public Vpc vpc() {
        return vpc;
    }
}
