package dev.filetrail.aws.services;

import dev.filetrail.aws.StackConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.CfnSubnet;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.LaunchTemplateHttpTokens;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.ecs.AmiHardwareType;
import software.amazon.awscdk.services.ecs.AsgCapacityProvider;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.Ec2Service;
import software.amazon.awscdk.services.ecs.Ec2TaskDefinition;
import software.amazon.awscdk.services.ecs.EcsOptimizedImage;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.Host;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.MountPoint;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.Volume;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * metadata-streams as fixed task slots, each an ECS service of one task on an EC2 host of its own, so that the
 * RocksDB state on the host's volume is there again when the slot's next task starts (a deployment, a crashed task).
 * Fargate cannot do that: its ephemeral storage and its ECS-managed EBS volumes are deleted with the task.
 *
 * <p>Slot {@code i} lives in zone {@code i mod zones}, has a stable {@code STREAMS_INSTANCE_ID} (static membership:
 * its next task gets its tasks back without a rebalance) and {@code STREAMS_RACK} = its zone's id (the name MSK
 * gives its brokers' racks), which places standbys in other zones and reads from same-zone replicas.
 */
public final class StreamsSlots extends Construct {
    /** The host directory every slot's task mounts; it outlives the task on the host's root volume. */
    public static final String HOST_STATE_PATH = "/var/lib/filetrail-streams";
    /** Where the container sees it, and STREAMS_STATE_DIR below it. */
    public static final String CONTAINER_STATE_PATH = "/var/lib/filetrail-streams";
    public static final String STATE_DIR = CONTAINER_STATE_PATH + "/state";
    /** The image runs as nonroot (65532, deploy/launcher's root-filesystem.sh), which must own the directory. */
    static final String IMAGE_USER = "65532:65532";
    /** A slot's task restarts (stop, pull, JVM, streams start) within this, so the group waits instead of moving tasks. */
    static final Duration SESSION_TIMEOUT = Duration.minutes(2);

    /** One slot: its service, its host group and the zone both live in. */
    public record Slot(int index, Ec2Service service, AutoScalingGroup hosts, ISubnet subnet) {
    }

    private final IRole taskRole;
    private final SecurityGroup security;
    private final List<Slot> slots = new ArrayList<>();

    StreamsSlots(Construct scope, StackConfig config, FiletrailServices.Wiring wiring, Cluster cluster,
                 ContainerImage image, Map<String, String> environment, LogGroup logs, HealthCheck health) {
        super(scope, "StreamsSlots");
        StackConfig.Services services = config.services();
        StackConfig.StreamsHosts hosts = services.streamsHosts();
        String prefix = config.stackName().toLowerCase();
        boolean arm = "ARM64".equals(services.cpuArchitecture());
        // Every slot runs as the same role: the streams row of the role table (FiletrailServices adds the MSK grants).
        // Its id keeps the logical id the role had as a Fargate task role, which the IAM tests name.
        taskRole = Role.Builder.create(scope, "StreamsTaskRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Filetrail streams task")
                .build();
        security = SecurityGroup.Builder.create(scope, "StreamsSecurity")
                .vpc(wiring.vpc()).description("Filetrail " + prefix + "-streams").allowAllOutbound(true).build();
        wiring.kafka().allowFrom(security, prefix + "-streams to Kafka");

        Role instanceRole = Role.Builder.create(this, "HostRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .description("Filetrail streams hosts (ECS container instances)")
                .build();
        hostGrants(instanceRole, cluster, logs);
        SecurityGroup hostSecurity = SecurityGroup.Builder.create(this, "HostSecurity")
                .vpc(wiring.vpc()).description("Filetrail streams hosts (the ECS agent only; tasks have their own)")
                .allowAllOutbound(true).build();

        List<ISubnet> subnets = wiring.vpc().selectSubnets(SubnetSelection.builder()
                .subnetType(SubnetType.PRIVATE_WITH_EGRESS).build()).getSubnets();
        Ec2Service previous = null;
        for (int i = 0; i < services.streams().minTasks(); i++) {
            ISubnet subnet = subnets.get(i % subnets.size());
            UserData userData = UserData.forLinux();
            userData.addCommands("mkdir -p " + HOST_STATE_PATH, "chown " + IMAGE_USER + " " + HOST_STATE_PATH,
                    "chmod 700 " + HOST_STATE_PATH);
            LaunchTemplate template = LaunchTemplate.Builder.create(this, "HostTemplate" + i)
                    .instanceType(new InstanceType(hosts.instanceType()))
                    .machineImage(EcsOptimizedImage.amazonLinux2023(arm ? AmiHardwareType.ARM : AmiHardwareType.STANDARD))
                    // CDK would add the ECS agent's grants with wildcards (ecs:Submit*, logs on *); hostGrants names
                    // them instead, so the launch template gets a role CDK may not add to.
                    .role(instanceRole.withoutPolicyUpdates())
                    .securityGroup(hostSecurity)
                    .userData(userData)
                    .httpTokens(LaunchTemplateHttpTokens.REQUIRED)
                    // The state lives on the root volume: it survives task replacement and instance reboots.
                    .blockDevices(List.of(BlockDevice.builder().deviceName("/dev/xvda")
                            .volume(BlockDeviceVolume.ebs(hosts.volumeGb(), EbsDeviceOptions.builder()
                                    .volumeType(EbsDeviceVolumeType.GP3).encrypted(true)
                                    .deleteOnTermination(true).build()))
                            .build()))
                    .build();
            // One host per slot, pinned to the slot's zone; a replaced instance comes back there (without state).
            // No update policy: a new AMI or template version reaches a slot only when its host is replaced.
            AutoScalingGroup group = AutoScalingGroup.Builder.create(this, "Hosts" + i)
                    .vpc(wiring.vpc())
                    .vpcSubnets(SubnetSelection.builder().subnets(List.of(subnet)).build())
                    .launchTemplate(template)
                    .minCapacity(services.paused() ? 0 : 1)
                    .maxCapacity(1)
                    .build();
            AsgCapacityProvider provider = AsgCapacityProvider.Builder.create(this, "Capacity" + i)
                    .capacityProviderName(prefix + "-streams-" + i)
                    .autoScalingGroup(group)
                    // The group's size is the slot count, not ECS's to change; nothing to drain to.
                    .enableManagedScaling(false)
                    .enableManagedTerminationProtection(false)
                    // ECS drains a host it replaces itself: no drain-hook Lambda with its own wildcard grants.
                    .enableManagedDraining(true)
                    .build();
            cluster.addAsgCapacityProvider(provider);

            Ec2TaskDefinition task = Ec2TaskDefinition.Builder.create(this, "Task" + i)
                    .family(prefix + "-streams-" + i)
                    .networkMode(NetworkMode.AWS_VPC)
                    .taskRole(taskRole)
                    .volumes(List.of(Volume.builder().name("state")
                            .host(Host.builder().sourcePath(HOST_STATE_PATH).build()).build()))
                    .build();
            Map<String, String> env = new LinkedHashMap<>(environment);
            env.put("STREAMS_STATE_DIR", STATE_DIR);
            env.put("STREAMS_INSTANCE_ID", prefix + "-streams-" + i);
            env.put("STREAMS_RACK", ((CfnSubnet) subnet.getNode().getDefaultChild()).getAttrAvailabilityZoneId());
            env.put("STREAMS_RACK_AWARE_STRATEGY", "min_traffic");
            env.put("STREAMS_STANDBY_REPLICAS", Integer.toString(hosts.standbyReplicas()));
            env.put("STREAMS_SESSION_TIMEOUT_MS", Long.toString(SESSION_TIMEOUT.toMilliseconds().longValue()));
            task.addContainer("streams", ContainerDefinitionOptions.builder()
                    .containerName("streams")
                    .image(image)
                    .entryPoint(List.of("filetrail"))
                    .command(List.of("streams"))
                    .environment(env)
                    .cpu(services.streams().cpu())
                    .memoryReservationMiB(services.streams().memoryMb())
                    // A clean close writes the stores' offsets; under exactly-once an unclean one wipes them.
                    .stopTimeout(Duration.seconds(60))
                    .healthCheck(health)
                    .logging(LogDriver.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("streams").build()))
                    .build())
                    .addMountPoints(MountPoint.builder().sourceVolume("state").containerPath(CONTAINER_STATE_PATH)
                            .readOnly(false).build());

            Ec2Service service = Ec2Service.Builder.create(this, "Service" + i)
                    .serviceName(prefix + "-streams-" + i)
                    .cluster(cluster)
                    .taskDefinition(task)
                    .desiredCount(services.paused() ? 0 : 1)
                    .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder()
                            .capacityProvider(provider.getCapacityProviderName()).weight(1).build()))
                    .vpcSubnets(SubnetSelection.builder().subnets(List.of(subnet)).build())
                    .securityGroups(List.of(security))
                    // Stop the old task before starting the new one: they share the host's state dir (one process
                    // may lock it) and the instance id (two members with one id fence each other).
                    .minHealthyPercent(0)
                    .maxHealthyPercent(100)
                    .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                    .enableExecuteCommand(false)
                    .build();
            // A capacity provider strategy needs the provider associated with the cluster before the service exists.
            service.getNode().addDependency(cluster);
            // One slot at a time: CloudFormation waits for a slot's service to be stable before the next one's.
            if (previous != null) {
                service.getNode().addDependency(previous);
            }
            previous = service;
            slots.add(new Slot(i, service, group, subnet));
        }
    }

    /**
     * What the ECS agent on a host calls (AWS's container instance role, less what a host here does not need: the
     * tasks' execution role pulls the image, the task role talks to Kafka): register and report to this cluster,
     * poll for work as one of its container instances, write the streams containers' logs.
     */
    private static void hostGrants(Role role, Cluster cluster, LogGroup logs) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance",
                        "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange",
                        "ecs:SubmitAttachmentStateChanges"))
                .resources(List.of(cluster.getClusterArn())).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:Poll", "ecs:StartTelemetrySession", "ecs:PutSystemLogEvents"))
                .resources(List.of(Fn.join("", List.of("arn:", Aws.PARTITION, ":ecs:", Aws.REGION, ":",
                        Aws.ACCOUNT_ID, ":container-instance/", cluster.getClusterName(), "/*"))))
                .build());
        // IAM has no resource for it: the agent asks where to poll before it is a container instance.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("ecs:DiscoverPollEndpoint")).resources(List.of("*")).build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn())).build());
    }

    /** The role every slot's task runs as. */
    public IRole taskRole() {
        return taskRole;
    }

    /** The security group of every slot's task. */
    public SecurityGroup security() {
        return security;
    }

    public List<Slot> slots() {
        return List.copyOf(slots);
    }

    public List<Ec2Service> services() {
        return slots.stream().map(Slot::service).toList();
    }
}
