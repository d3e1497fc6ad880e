package dev.filetrail.aws.services;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class FiletrailServicesTest {
    private static final Template DEFAULTS = Synth.defaults().main();

    private static Map<String, Object> container(String name, Map<String, Object> expected) {
        Map<String, Object> matcher = new java.util.LinkedHashMap<>(expected);
        matcher.put("Name", name);
        return Map.of("ContainerDefinitions", List.of(Match.objectLike(matcher)));
    }

    @Test
    void theBridgeAndApiRunOnFargateAndTheStreamsSlotsOnEc2AllPrivately() {
        for (String service : List.of("bridge", "api")) {
            DEFAULTS.hasResourceProperties("AWS::ECS::Service", Map.of(
                    "ServiceName", "filetrail-" + service,
                    "LaunchType", "FARGATE",
                    "DeploymentConfiguration", Match.objectLike(Map.of(
                            "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true))),
                    "NetworkConfiguration", Map.of("AwsvpcConfiguration", Match.objectLike(Map.of(
                            "AssignPublicIp", "DISABLED")))));
        }
        for (String service : List.of("bridge", "streams", "api")) {
            DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container(service, Map.of(
                    "EntryPoint", List.of("filetrail"),
                    "Command", List.of(service))));
        }
        // Streams: one service per slot, on the slot's own capacity provider (StreamsSlotsTest has the rest).
        for (String slot : List.of("0", "1")) {
            DEFAULTS.hasResourceProperties("AWS::ECS::Service", Map.of(
                    "ServiceName", "filetrail-streams-" + slot,
                    "CapacityProviderStrategy", List.of(Match.objectLike(Map.of("CapacityProvider",
                            Map.of("Ref", Match.stringLikeRegexp("ServicesStreamsSlotsCapacity" + slot + ".*"))))),
                    "DeploymentConfiguration", Match.objectLike(Map.of(
                            "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true))),
                    "NetworkConfiguration", Map.of("AwsvpcConfiguration", Match.objectLike(Map.of(
                            "Subnets", List.of(Map.of("Ref", Match.stringLikeRegexp("NetworkVpcprivateSubnet.*"))))))));
        }
        // The image that deploy/launcher builds is linux/amd64 (ServiceImageTest checks its config): the default
        // platform must run it.
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RuntimePlatform", Map.of("CpuArchitecture", "X86_64", "OperatingSystemFamily", "LINUX")));
    }

    @Test
    void anArm64ImageBuiltElsewhereRunsOnGravitonWhenAsked() {
        Synth.of(Map.of("cpuArchitecture", "arm64")).main().hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RuntimePlatform", Map.of("CpuArchitecture", "ARM64", "OperatingSystemFamily", "LINUX")));
    }

    @Test
    void servicesGetTheirEndpointsFromTheEnvironment() {
        // The names are the ones the services read (BridgeConfig, MetadataStreamsConfig, ApiConfig); each is
        // asserted alone because the order of a container's variables is not part of the contract.
        env("bridge", "KAFKA_BOOTSTRAP_SERVERS", Map.of("Fn::GetAtt",
                List.of(Match.stringLikeRegexp("KafkaBootstrapBrokers.*"), "BootstrapBrokerStringSaslIam")));
        env("bridge", "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM");
        env("bridge", "SQS_QUEUE_URL", Map.of("Ref", Match.stringLikeRegexp("IngestQueue.*")));
        env("bridge", "BRIDGE_VISIBILITY_TIMEOUT_SECONDS", "120");
        for (String service : List.of("bridge", "streams", "api")) {
            // Empty selects AWS's endpoints and the task role; unset would mean the local stack's defaults.
            for (String name : List.of("S3_ENDPOINT", "SQS_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                env(service, name, "");
            }
        }
        env("streams", "STREAMS_APPLICATION_ID", "filetrail-metadata-streams");
        env("api", "API_PORT", "8080");
        env("api", "PROJECTOR_GROUP_ID", "filetrail-query-projector");
        env("api", "FILETRAIL_LOCAL_MODE", "false");
        env("api", "DATABASE_URL", Match.anyValue());
        env("api", "SOURCE_BUCKET", Map.of("Ref", Match.stringLikeRegexp("BucketsSource.*")));
        env("api", "CLOUDFRONT_URL", Map.of("Fn::Join", List.of("", List.of("https://", Map.of("Fn::GetAtt",
                List.of(Match.stringLikeRegexp("CdnDistribution.*"), "DomainName"))))));
        env("api", "CLOUDFRONT_KEY_PAIR_ID", Map.of("Ref", Match.stringLikeRegexp("CdnUrlSigningKey.*")));
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container("api", Map.of(
                "PortMappings", Match.arrayWith(List.of(Match.objectLike(Map.of("ContainerPort", 8080)))),
                "Secrets", Match.arrayWith(List.of(
                        Map.of("Name", "DATABASE_USER", "ValueFrom", Match.anyValue()),
                        Map.of("Name", "DATABASE_PASSWORD", "ValueFrom", Match.anyValue()))))));
    }

    @Test
    void everyKafkaUsingContainerLogsInWithMskIamAndKnowsTheTopicsShape() {
        // The services and the ops task read these through KafkaClientSettings and TopicSetup.
        for (String container : List.of("bridge", "streams", "api", "ops")) {
            env(container, "KAFKA_BOOTSTRAP_SERVERS", Map.of("Fn::GetAtt",
                    List.of(Match.stringLikeRegexp("KafkaBootstrapBrokers.*"), "BootstrapBrokerStringSaslIam")));
            env(container, "KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
            env(container, "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM");
            env(container, "TOPIC_REPLICATION_FACTOR", "3");
            env(container, "TOPIC_PARTITIONS", "12");
            env(container, "TOPIC_REMOTE_STORAGE", "true");
        }
        // An existing cluster named with its ARN: the same login; tiered storage is the operator's to know.
        Template existing = Synth.existing().main();
        for (String container : List.of("bridge", "streams", "api", "ops")) {
            existing.hasResourceProperties("AWS::ECS::TaskDefinition", container(container, Map.of(
                    "Environment", Match.arrayWith(List.of(
                            Map.of("Name", "KAFKA_SECURITY_PROTOCOL", "Value", "SASL_SSL"),
                            Map.of("Name", "KAFKA_SASL_MECHANISM", "Value", "AWS_MSK_IAM"),
                            Map.of("Name", "TOPIC_REPLICATION_FACTOR", "Value", "3"),
                            Map.of("Name", "TOPIC_REMOTE_STORAGE", "Value", "false"))))));
        }
        Template small = Synth.of(Map.of("zoneCount", "2", "kafkaTopicPartitions", "24")).main();
        small.hasResourceProperties("AWS::ECS::TaskDefinition", container("ops", Map.of(
                "Environment", Match.arrayWith(List.of(
                        Map.of("Name", "TOPIC_PARTITIONS", "Value", "24"),
                        Map.of("Name", "TOPIC_REPLICATION_FACTOR", "Value", "2"))))));
    }

    private static void env(String container, String name, Object value) {
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container(container, Map.of(
                "Environment", Match.arrayWith(List.of(Map.of("Name", name, "Value", value))))));
    }

    @Test
    void defaultImageComesFromAnImmutableScannedRepositoryTheStackCreates() {
        DEFAULTS.hasResourceProperties("AWS::ECR::Repository", Map.of(
                "RepositoryName", "filetrail",
                "ImageTagMutability", "IMMUTABLE",
                "ImageScanningConfiguration", Map.of("ScanOnPush", true)));
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container("bridge", Map.of(
                "Image", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(":0.1.0")))))));
    }

    @Test
    void imageUriFromContextIsUsedAndOnlyItsRepositoryMayBePulled() {
        Template existing = Synth.existing().main();
        existing.resourceCountIs("AWS::ECR::Repository", 0);
        existing.hasResourceProperties("AWS::ECS::TaskDefinition", container("api", Map.of(
                "Image", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                        Match.stringLikeRegexp(".*/filetrail:1\\.4\\.2"))))))));
        existing.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", List.of("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"),
                        "Resource", Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                                ":ecr:eu-west-1:111122223333:repository/filetrail")))))))))));
    }

    @Test
    void bridgeScalesOnQueueDepth() {
        DEFAULTS.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Map.of(
                "MinCapacity", 1, "MaxCapacity", 10,
                "ResourceId", Match.objectLike(Map.of("Fn::Join", List.of("", Match.arrayWith(List.of(
                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesBridgeService.*"), "Name")))))))));
        DEFAULTS.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
                "PolicyType", "StepScaling",
                "StepScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "AdjustmentType", "ChangeInCapacity",
                        "StepAdjustments", Match.arrayWith(List.of(Match.objectLike(Map.of("ScalingAdjustment", 3))))))));
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Namespace", "AWS/SQS",
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestQueue.*"), "QueueName")))),
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("ServicesBridgeTaskCountTargetQueueDepthUpper.*")))));
    }

    @Test
    void theApiScalesOnCpuAndRequestsAndTheStreamsSlotsAreFixed() {
        // A streams slot is a host with state: adding one is a context change (streamsSlots), not a scaling step.
        assertThat(DEFAULTS.findResources("AWS::ApplicationAutoScaling::ScalableTarget").toString())
                .doesNotContain("Streams");
        DEFAULTS.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
                "PolicyName", Match.stringLikeRegexp(".*ServicesApiTaskCountTargetCpu.*"),
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "PredefinedMetricSpecification", Map.of("PredefinedMetricType", "ECSServiceAverageCPUUtilization")))));
        DEFAULTS.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", Map.of(
                "TargetTrackingScalingPolicyConfiguration", Match.objectLike(Map.of(
                        "PredefinedMetricSpecification", Match.objectLike(Map.of(
                                "PredefinedMetricType", "ALBRequestCountPerTarget")),
                        "TargetValue", 1000))));
    }

    @Test
    void apiIsBehindAnInternetFacingLoadBalancer() {
        DEFAULTS.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Map.of(
                "Scheme", "internet-facing",
                "LoadBalancerAttributes", Match.arrayWith(List.of(
                        Map.of("Key", "routing.http.drop_invalid_header_fields.enabled", "Value", "true")))));
        DEFAULTS.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Map.of(
                "Port", 8080, "TargetType", "ip", "HealthCheckPath", "/ready", "HealthCheckPort", "9090"));
        DEFAULTS.hasResourceProperties("AWS::ECS::Service", Map.of(
                "ServiceName", "filetrail-api",
                "LoadBalancers", List.of(Map.of("ContainerName", "api", "ContainerPort", 8080,
                        "TargetGroupArn", Map.of("Ref", Match.stringLikeRegexp("ServicesLoadBalancerHttpApiGroup.*"))))));
        Synth.defaults().annotations().hasWarning("/Filetrail/Services", Match.stringLikeRegexp(".*plain HTTP.*"));
    }

    @Test
    void withACertificateTheApiIsHttpsAndPlainHttpRedirects() {
        Template existing = Synth.existing().main();
        existing.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of(
                "Port", 443, "Protocol", "HTTPS",
                "Certificates", List.of(Map.of("CertificateArn", "arn:aws:acm:eu-west-1:111122223333:certificate/api"))));
        existing.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of(
                "Port", 80,
                "DefaultActions", List.of(Match.objectLike(Map.of("Type", "redirect",
                        "RedirectConfig", Match.objectLike(Map.of("Protocol", "HTTPS", "Port", "443")))))));
    }

    @Test
    void databaseAndSigningSecretsAreInjectedByTheExecutionRoleOnly() {
        Map<String, Map<String, Object>> policies = Synth.resources(Synth.defaults().json(), "AWS::IAM::Policy");
        assertThat(policies).hasEntrySatisfying(
                policies.keySet().stream().filter(id -> id.startsWith("ServicesApiTaskExecutionRole")).findFirst().orElseThrow(),
                policy -> assertThat(policy.toString()).contains("secretsmanager:GetSecretValue")
                        .contains("CdnUrlSigningPrivateKey").contains("DatabaseClusterSecret"));
        assertThat(policies.entrySet()).filteredOn(e -> e.getKey().contains("TaskRole"))
                .allSatisfy(e -> assertThat(e.getValue().toString()).doesNotContain("secretsmanager:"));
    }

    @Test
    void theLoadBalancerChecksReadinessOnTheAdminPortThatNoListenerExposes() {
        env("api", "API_ADMIN_PORT", "9090");
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container("api", Map.of(
                "PortMappings", List.of(Match.objectLike(Map.of("ContainerPort", 8080)),
                        Match.objectLike(Map.of("ContainerPort", 9090))))));
        // Traffic goes to 8080; /ready, /metrics live on 9090, which only the health check reaches.
        DEFAULTS.hasResourceProperties("AWS::ECS::Service", Map.of(
                "ServiceName", "filetrail-api",
                "LoadBalancers", List.of(Match.objectLike(Map.of("ContainerPort", 8080)))));
        for (Template template : List.of(DEFAULTS, Synth.existing().main())) {
            assertThat(Synth.resources(template.toJSON(), "AWS::ElasticLoadBalancingV2::Listener").values())
                    .map(Synth::properties).isNotEmpty()
                    .allSatisfy(listener -> assertThat(listener.get("Port")).isIn(80, 443));
        }
        DEFAULTS.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Map.of(
                "FromPort", 9090, "ToPort", 9090, "IpProtocol", "tcp",
                "GroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesApiSecurity.*"), "GroupId")),
                "SourceSecurityGroupId", Map.of("Fn::GetAtt",
                        List.of(Match.stringLikeRegexp("ServicesLoadBalancerSecurity.*"), "GroupId"))));
        DEFAULTS.hasResourceProperties("AWS::EC2::SecurityGroupEgress", Map.of(
                "FromPort", 9090, "ToPort", 9090,
                "GroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesLoadBalancerSecurity.*"), "GroupId"))));
        // Nothing from the internet reaches 9090.
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::EC2::SecurityGroup").values()).map(Synth::properties)
                .allSatisfy(group -> assertThat(String.valueOf(group.get("SecurityGroupIngress"))).doesNotContain("9090"));
    }

    @Test
    void bridgeAndStreamsContainersProbeTheirReadiness() {
        env("bridge", "BRIDGE_METRICS_PORT", "9401");
        env("streams", "STREAMS_METRICS_PORT", "9402");
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container("bridge", Map.of(
                "HealthCheck", Match.objectLike(Map.of(
                        "Command", List.of("CMD", "filetrail", "probe", "http://127.0.0.1:9401/ready"),
                        "Retries", 3, "Timeout", 10, "Interval", 30)))));
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", container("streams", Map.of(
                "HealthCheck", Match.objectLike(Map.of(
                        "Command", List.of("CMD", "filetrail", "probe", "http://127.0.0.1:9402/ready"),
                        "StartPeriod", 300, "Retries", 10)))));
    }

    @Test
    void shareLinksNameTheAddressUsersReachTheApiAt() {
        env("api", "PUBLIC_BASE_URL", Map.of("Fn::Join", List.of("", List.of("http://",
                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesLoadBalancer[0-9A-F]{8}"), "DNSName"))))));
        Template named = Synth.of(Map.of("apiCertificateArn", "arn:aws:acm:ap-northeast-2:111122223333:certificate/a",
                "apiDomainName", "files-api.example.com")).main();
        named.hasResourceProperties("AWS::ECS::TaskDefinition", container("api", Map.of(
                "Environment", Match.arrayWith(List.of(
                        Map.of("Name", "PUBLIC_BASE_URL", "Value", "https://files-api.example.com"))))));
        named.hasOutput("ApiUrl", Map.of("Value", "https://files-api.example.com"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void forwardedForIsBelievedOnlyFromTheLoadBalancersSubnets() {
        List<String> publicCidrs = Synth.resources(Synth.defaults().json(), "AWS::EC2::Subnet").values().stream()
                .map(Synth::properties)
                .filter(p -> p.get("Tags").toString().contains("aws-cdk:subnet-type, Value=Public"))
                .map(p -> (String) p.get("CidrBlock")).toList();
        assertThat(publicCidrs).hasSize(3);
        env("api", "TRUSTED_PROXIES", String.join(",", publicCidrs));
    }

    @Test
    void everyServiceAndTheOpsTaskCreateTopicsWithTheStacksSettings() {
        for (String container : List.of("bridge", "streams", "api", "ops")) {
            env(container, "TOPIC_PARTITIONS", "12");
            env(container, "TOPIC_REPLICATION_FACTOR", "3");
            env(container, "AUDIT_RETENTION_MS", "-1");
        }
        // Two zones of one broker each hold two replicas, not three.
        Synth.of(Map.of("zoneCount", "2")).main().hasResourceProperties("AWS::ECS::TaskDefinition", container("ops",
                Map.of("Environment", Match.arrayWith(List.of(Map.of("Name", "TOPIC_REPLICATION_FACTOR", "Value", "2"))))));
    }

    @Test
    void theOpsTaskReachesPostgresqlWithTheDatabaseSecretAndEveryServicesSettings() {
        env("ops", "DATABASE_URL", Match.anyValue());
        env("ops", "SQS_QUEUE_URL", Map.of("Ref", Match.stringLikeRegexp("IngestQueue.*")));
        env("ops", "SOURCE_BUCKET", Map.of("Ref", Match.stringLikeRegexp("BucketsSource.*")));
        env("ops", "STREAMS_APPLICATION_ID", "filetrail-metadata-streams");
        env("ops", "PROJECTOR_GROUP_ID", "filetrail-query-projector");
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "Family", "filetrail-ops", "Cpu", "1024", "Memory", "4096",
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Name", "ops",
                        "Command", List.of("--help"),
                        "Secrets", Match.arrayWith(List.of(
                                Map.of("Name", "DATABASE_USER", "ValueFrom", Match.anyValue()),
                                Map.of("Name", "DATABASE_PASSWORD", "ValueFrom", Match.anyValue()))))))));
        Map<String, Map<String, Object>> policies = Synth.resources(Synth.defaults().json(), "AWS::IAM::Policy");
        assertThat(policies).hasEntrySatisfying(
                policies.keySet().stream().filter(id -> id.startsWith("ServicesOpsTaskExecutionRole")).findFirst().orElseThrow(),
                policy -> assertThat(policy.toString()).contains("secretsmanager:GetSecretValue").contains("DatabaseClusterSecret"));
        // The security-group path to Aurora (and to Kafka, as before).
        DEFAULTS.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Map.of(
                "FromPort", 5432, "ToPort", 5432,
                "SourceSecurityGroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesOpsSecurity.*"), "GroupId"))));
        DEFAULTS.hasResourceProperties("AWS::EC2::SecurityGroupIngress", Map.of(
                "FromPort", 9098,
                "SourceSecurityGroupId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ServicesOpsSecurity.*"), "GroupId"))));
        DEFAULTS.hasOutput("OpsLogGroupName", Map.of("Value", Map.of("Ref", Match.stringLikeRegexp("ServicesOpsLogs.*"))));
    }

    @Test
    void pausedServicesRunNoTaskAndDoNotScaleUntilTheImageExists() {
        Template paused = Synth.tuned().main();
        // bridge, api and the two streams slots
        paused.resourceCountIs("AWS::ECS::Service", 4);
        paused.allResourcesProperties("AWS::ECS::Service", Map.of("DesiredCount", 0));
        paused.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 0);
        // bridge and api; the streams slots are fixed
        DEFAULTS.resourceCountIs("AWS::ApplicationAutoScaling::ScalableTarget", 2);
    }

    @Test
    void theChangeFeedsCursorKeyIsAGeneratedSecretInjectedIntoTheApiOnly() {
        // Without it the API would run on the public local key, and answer its change routes 503 (QueryApi).
        DEFAULTS.hasResource("AWS::SecretsManager::Secret", Map.of(
                "Properties", Map.of(
                        "Name", "filetrail/change-cursor-keys",
                        "Description", Match.anyValue(),
                        "GenerateSecretString", Map.of("ExcludePunctuation", true, "PasswordLength", 48)),
                "DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain"));
        DEFAULTS.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Name", "api", "Secrets", Match.arrayWith(List.of(Map.of(
                        "Name", "CHANGES_CURSOR_KEYS",
                        "ValueFrom", Map.of("Ref", Match.stringLikeRegexp("ChangeCursorKeys.*"))))))))));
        assertThat(DEFAULTS.toJSON().toString()).doesNotContain("filetrail-local-change-cursor-key");
    }
}
