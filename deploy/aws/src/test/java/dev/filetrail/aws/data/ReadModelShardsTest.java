package dev.filetrail.aws.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.aws.Synth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code readModelShards}: N Aurora clusters, each a writer and a reader in two zones with its own secret, reached by
 * the API and the ops tasks only, and named to them in the variables query-api reads ({@code READ_MODEL_SHARDS},
 * {@code READ_MODEL_REPLICAS}, {@code DATABASE_USER_<i>}/{@code DATABASE_PASSWORD_<i>}).
 */
class ReadModelShardsTest {
    private static final Synth.Result ONE = Synth.defaults();
    private static final Synth.Result THREE = Synth.of(Map.of("readModelShards", "3"));
    /** Shard 0's cluster, as a stack from before shards has it. */
    private static final String SHARD_0 = "DatabaseCluster5B53A178";

    /**
     * The logical ids of the read model's resources in the template before shards existed (commit af13b7e): a stack
     * deployed then must find every one of them again, or CloudFormation replaces the database.
     */
    private static final Set<String> BEFORE_SHARDS = Set.of(
            "DatabaseCluster5B53A178",
            "DatabaseClusterParameterGroup06DF288F",
            "DatabaseClusterReader78FE9854",
            "DatabaseClusterWriterD43085C6",
            "DatabaseClusterSecretAttachmentDC8466C0",
            "FiletrailDatabaseClusterSecret1C2085903fdaad7efa858a3daf9490cf0a702aeb",
            "DatabaseClusterSecurityGroupFEF1426A",
            "DatabaseClusterSecurityGroupfromFiletrailServicesApiSecurity420A2298543270E4F047",
            "DatabaseClusterSecurityGroupfromFiletrailServicesOpsSecurity9F823EE854321B947022",
            "DatabaseClusterSubnets5540150D",
            "DatabasePostgresLogs807072D3");

    @Test
    void oneShardKeepsTheReadModelsLogicalIdsAndMoreShardsLeaveShardZeroAsItWas() {
        Map<String, Object> one = resources(ONE);
        Set<String> databaseIds = one.keySet().stream().filter(ReadModelShardsTest::readModelResource)
                .collect(Collectors.toSet());
        assertThat(databaseIds).isEqualTo(BEFORE_SHARDS);
        assertThat(resourcesOfType(ONE, "AWS::RDS::DBCluster")).containsOnlyKeys(SHARD_0);

        // Shard 0 keeps its outputs; each further shard gets its own.
        assertThat(outputs(ONE)).containsKeys("DatabaseJdbcUrl", "DatabaseSecretArn")
                .noneSatisfy((name, output) -> assertThat(name).startsWith("DatabaseShard"));
        assertThat(outputs(THREE)).containsKeys("DatabaseJdbcUrl", "DatabaseSecretArn", "DatabaseShard1JdbcUrl",
                "DatabaseShard1SecretArn", "DatabaseShard2JdbcUrl", "DatabaseShard2SecretArn");
        assertThat(outputs(THREE).get("DatabaseShard2JdbcUrl").toString()).contains("DatabaseShard2Cluster");

        // Growing to three shards adds clusters and changes nothing of shard 0 (no replacement, no update).
        Map<String, Object> three = resources(THREE);
        for (String id : BEFORE_SHARDS) {
            assertThat(three.get(id)).as(id).isEqualTo(one.get(id));
        }
    }

    @Test
    void everyShardIsAnEncryptedAuroraClusterWithAWriterAndAReaderInAnotherZone() {
        Map<String, Map<String, Object>> clusters = resourcesOfType(THREE, "AWS::RDS::DBCluster");
        assertThat(clusters).hasSize(3);
        assertThat(clusters.values().stream().map(Synth::properties).map(p -> p.get("DBClusterIdentifier")))
                .containsExactlyInAnyOrder("filetrail-db", "filetrail-db-shard-1", "filetrail-db-shard-2");
        assertThat(clusters.values()).allSatisfy(cluster -> {
            Map<String, Object> properties = Synth.properties(cluster);
            assertThat(properties).containsEntry("Engine", "aurora-postgresql").containsEntry("StorageEncrypted", true)
                    .containsEntry("DeletionProtection", true).containsEntry("BackupRetentionPeriod", 14);
            assertThat(cluster).containsEntry("DeletionPolicy", "Snapshot");
        });

        Map<String, Map<String, Object>> subnetGroups = resourcesOfType(THREE, "AWS::RDS::DBSubnetGroup");
        assertThat(subnetGroups).hasSize(3).allSatisfy((id, group) ->
                // The isolated data subnets of all three zones: a writer lost with its zone fails over to another.
                assertThat(Synth.list(Synth.properties(group).get("SubnetIds"))).hasSize(3));

        Map<String, Map<String, Object>> instances = resourcesOfType(THREE, "AWS::RDS::DBInstance");
        assertThat(instances).hasSize(6);
        for (String cluster : clusters.keySet()) {
            List<Map<String, Object>> own = instances.values().stream().map(Synth::properties)
                    .filter(p -> p.get("DBClusterIdentifier").equals(Map.of("Ref", cluster))).toList();
            // A writer (promotion tier 0) and a reader that is its failover target (tier 1).
            assertThat(own).extracting(p -> p.get("PromotionTier")).as(cluster).containsExactlyInAnyOrder(0, 1);
            if (!cluster.equals(SHARD_0)) {
                // Pinned to two different zones (shard 0 keeps its unpinned instances: see the first test).
                assertThat(own).extracting(p -> p.get("AvailabilityZone")).as(cluster).doesNotContainNull()
                        .doesNotHaveDuplicates();
            }
        }
        // The writers of the new shards do not all sit in one zone.
        assertThat(instances.entrySet().stream()
                .filter(e -> e.getKey().contains("Shard") && e.getKey().contains("Writer"))
                .map(e -> Synth.properties(e.getValue()).get("AvailabilityZone")).collect(Collectors.toSet()))
                .hasSize(2);

        // Each cluster its own generated credentials, under its own name.
        Map<String, Map<String, Object>> secrets = resourcesOfType(THREE, "AWS::SecretsManager::Secret");
        assertThat(secrets.values().stream().map(Synth::properties).map(p -> p.get("Name")))
                .contains("filetrail/database", "filetrail/database-shard-1", "filetrail/database-shard-2");
        assertThat(resourcesOfType(THREE, "AWS::SecretsManager::SecretTargetAttachment")).hasSize(3);
    }

    @Test
    void theApiAndOpsTasksGetEveryShardItsReaderAndItsOwnSecretAndNoOtherServiceDoes() {
        List<String> clusters = shardClusters(THREE);
        assertThat(clusters).hasSize(3).startsWith(SHARD_0);
        for (String container : List.of("api", "ops")) {
            Map<String, Object> environment = environment(THREE, container);
            List<Object> shards = joined(environment.get("READ_MODEL_SHARDS"));
            List<Object> replicas = joined(environment.get("READ_MODEL_REPLICAS"));
            assertThat(shards).hasSize(3);
            assertThat(replicas).hasSize(3);
            for (int i = 0; i < 3; i++) {
                // Shard i is the i-th URL: its writer endpoint, and in the replicas its reader endpoint.
                assertThat(shards.get(i).toString()).as(container + " shard " + i)
                        .contains("[" + clusters.get(i) + ", Endpoint.Address]")
                        .contains("[" + clusters.get(i) + ", Endpoint.Port]")
                        .endsWith("/filetrail?sslmode=require]]}");
                assertThat(replicas.get(i).toString()).as(container + " replica " + i)
                        .contains("[" + clusters.get(i) + ", ReadEndpoint.Address]");
            }
            // Images from before shards read DATABASE_URL: shard 0, which also holds the API keys.
            assertThat(environment.get("DATABASE_URL")).isEqualTo(shards.get(0));

            Map<String, Object> secrets = secrets(THREE, container);
            assertThat(secrets.get("DATABASE_USER").toString()).contains("DatabaseClusterSecretAttachment", ":username::");
            assertThat(secrets.get("DATABASE_PASSWORD").toString()).contains("DatabaseClusterSecretAttachment", ":password::");
            for (int i = 1; i < 3; i++) {
                assertThat(secrets.get("DATABASE_USER_" + i).toString())
                        .contains("DatabaseShard" + i + "ClusterSecretAttachment", ":username::");
                assertThat(secrets.get("DATABASE_PASSWORD_" + i).toString())
                        .contains("DatabaseShard" + i + "ClusterSecretAttachment", ":password::");
            }
            assertThat(secrets).doesNotContainKeys("DATABASE_USER_0", "DATABASE_USER_3");

            // The execution role (which ECS injects secrets with) may read each shard's secret; the task role none.
            String execution = policies(THREE, container.equals("api") ? "ServicesApiTaskExecutionRole"
                    : "ServicesOpsTaskExecutionRole");
            assertThat(execution).contains("secretsmanager:GetSecretValue", "DatabaseClusterSecretAttachment",
                    "DatabaseShard1ClusterSecretAttachment", "DatabaseShard2ClusterSecretAttachment");
        }
        for (String container : List.of("bridge", "streams")) {
            assertThat(environment(THREE, container)).doesNotContainKeys("READ_MODEL_SHARDS", "READ_MODEL_REPLICAS",
                    "DATABASE_URL");
            assertThat(secrets(THREE, container).keySet()).noneMatch(name -> name.startsWith("DATABASE_"));
        }
        assertThat(resourcesOfType(THREE, "AWS::IAM::Policy").entrySet()).filteredOn(e -> e.getKey().contains("TaskRole")
                        || e.getKey().contains("Bridge") || e.getKey().contains("Streams"))
                .allSatisfy(e -> assertThat(e.getValue().toString()).as(e.getKey()).doesNotContain("ClusterSecretAttachment"));
    }

    @Test
    void oneShardIsNamedTheSameWayWithAPortCloudFormationResolves() {
        Map<String, Object> environment = environment(ONE, "api");
        List<Object> shards = joined(environment.get("READ_MODEL_SHARDS"));
        assertThat(shards).hasSize(1).containsExactly(environment.get("DATABASE_URL"));
        assertThat(joined(environment.get("READ_MODEL_REPLICAS"))).singleElement().asString()
                .contains("[" + SHARD_0 + ", ReadEndpoint.Address]");
        // The port is the cluster's Endpoint.Port attribute, not the text of a numeric token (-1.888E289).
        assertThat(environment.get("DATABASE_URL").toString()).contains("[" + SHARD_0 + ", Endpoint.Port]")
                .doesNotContainPattern("E\\d{3}");
        // An existing database: one shard, and no replicas this stack could name.
        Map<String, Object> existing = environment(Synth.existing(), "api");
        assertThat(existing).containsEntry("READ_MODEL_SHARDS", Synth.EXISTING_DATABASE_URL)
                .containsEntry("DATABASE_URL", Synth.EXISTING_DATABASE_URL).doesNotContainKey("READ_MODEL_REPLICAS");
    }

    @Test
    void onlyTheApiAndOpsSecurityGroupsReachEachShard() {
        List<Map<String, Object>> rules = resourcesOfType(THREE, "AWS::EC2::SecurityGroupIngress").values().stream()
                .map(Synth::properties).filter(p -> p.get("GroupId").toString().contains("Database")).toList();
        assertThat(rules).hasSize(6).allSatisfy(rule -> {
            assertThat(rule.get("FromPort")).isEqualTo(5432);
            assertThat(rule.get("ToPort")).isEqualTo(5432);
            assertThat(rule).doesNotContainKey("CidrIp");
        });
        for (String group : List.of("DatabaseClusterSecurityGroup", "DatabaseShard1ClusterSecurityGroup",
                "DatabaseShard2ClusterSecurityGroup")) {
            assertThat(rules).filteredOn(rule -> rule.get("GroupId").toString().contains("{Fn::GetAtt=[" + group))
                    .extracting(rule -> rule.get("SourceSecurityGroupId").toString()).as(group)
                    .hasSize(2)
                    .anySatisfy(s -> assertThat(s).contains("ServicesApiSecurity"))
                    .anySatisfy(s -> assertThat(s).contains("ServicesOpsSecurity"));
        }
    }

    @Test
    void synthRefusesShardCountsThatDoNotDivideThePartitionsOrThatAnExistingDatabaseCannotHold() {
        assertThatThrownBy(() -> Synth.of(Map.of("readModelShards", "5")))
                .hasMessageContaining("kafkaTopicPartitions (12) must be a multiple of readModelShards (5)");
        assertThatThrownBy(() -> Synth.of(Map.of("readModelShards", "4", "kafkaTopicPartitions", "6")))
                .hasMessageContaining("must be a multiple of readModelShards");
        assertThatThrownBy(() -> Synth.of(Map.of("readModelShards", "0"))).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Synth.of(Map.of("readModelShards", "2", "databaseUrl", Synth.EXISTING_DATABASE_URL,
                "databaseSecretArn", Synth.EXISTING_SECRET_ARN))).hasMessageContaining("readModelShards above 1");
        // A multiple is accepted: 24 partitions over 4 shards.
        assertThat(resourcesOfType(Synth.of(Map.of("readModelShards", "4", "kafkaTopicPartitions", "24")),
                "AWS::RDS::DBCluster")).hasSize(4);
    }

    @Test
    void aProvisionedInstanceClassSizesEveryShardsWriterAndReaderInsteadOfAcus() {
        Synth.Result provisioned = Synth.of(Map.of("readModelShards", "2", "databaseInstanceClass", "r7g.4xlarge"));
        Map<String, Map<String, Object>> instances = resourcesOfType(provisioned, "AWS::RDS::DBInstance");
        assertThat(instances).hasSize(4).allSatisfy((id, instance) ->
                assertThat(Synth.properties(instance)).containsEntry("DBInstanceClass", "db.r7g.4xlarge"));
        assertThat(instances.values().stream().map(Synth::properties).map(p -> p.get("PromotionTier")))
                .containsExactlyInAnyOrder(0, 1, 0, 1);
        assertThat(resourcesOfType(provisioned, "AWS::RDS::DBCluster")).hasSize(2).allSatisfy((id, cluster) ->
                assertThat(Synth.properties(cluster)).doesNotContainKey("ServerlessV2ScalingConfiguration"));
        // Unset, the shards stay Serverless v2 with the ACU bounds.
        assertThat(resourcesOfType(THREE, "AWS::RDS::DBInstance")).allSatisfy((id, instance) ->
                assertThat(Synth.properties(instance)).containsEntry("DBInstanceClass", "db.serverless"));
        assertThat(resourcesOfType(THREE, "AWS::RDS::DBCluster")).allSatisfy((id, cluster) ->
                assertThat(Synth.properties(cluster)).containsEntry("ServerlessV2ScalingConfiguration",
                        Map.of("MinCapacity", 0.5, "MaxCapacity", 16)));
        assertThatThrownBy(() -> Synth.of(Map.of("databaseInstanceClass", "db.r7g.large")))
                .hasMessageContaining("without db.");
    }

    @Test
    void theStorageTypeIsLeftAloneUnlessNamedAndThenSetOnEveryShard() {
        assertThat(resourcesOfType(THREE, "AWS::RDS::DBCluster")).allSatisfy((id, cluster) ->
                assertThat(Synth.properties(cluster)).doesNotContainKey("StorageType"));
        assertThat(resourcesOfType(Synth.of(Map.of("readModelShards", "2", "databaseStorageType", "io-optimized")),
                "AWS::RDS::DBCluster")).hasSize(2).allSatisfy((id, cluster) ->
                assertThat(Synth.properties(cluster)).containsEntry("StorageType", "aurora-iopt1"));
        assertThat(resourcesOfType(Synth.of(Map.of("databaseStorageType", "standard")), "AWS::RDS::DBCluster"))
                .allSatisfy((id, cluster) -> assertThat(Synth.properties(cluster)).containsEntry("StorageType", "aurora"));
        assertThatThrownBy(() -> Synth.of(Map.of("databaseStorageType", "gp3")))
                .hasMessageContaining("standard or io-optimized");
    }

    private static boolean readModelResource(String id) {
        return id.startsWith("Database") || id.startsWith("FiletrailDatabase");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> outputs(Synth.Result synth) {
        return (Map<String, Object>) synth.json().get("Outputs");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resources(Synth.Result synth) {
        return (Map<String, Object>) synth.json().get("Resources");
    }

    private static Map<String, Map<String, Object>> resourcesOfType(Synth.Result synth, String type) {
        return Synth.resources(synth.json(), type);
    }

    /** The clusters in the order the shards' URLs name them. */
    private static List<String> shardClusters(Synth.Result synth) {
        List<String> ordered = new ArrayList<>();
        for (Object url : joined(environment(synth, "api").get("READ_MODEL_SHARDS"))) {
            resourcesOfType(synth, "AWS::RDS::DBCluster").keySet().stream()
                    .filter(id -> url.toString().contains("[" + id + ", Endpoint.Address]"))
                    .forEach(ordered::add);
        }
        return ordered;
    }

    /** The items of a comma-joined list ({@code Fn::Join [",", items]}), or the one value it is. */
    @SuppressWarnings("unchecked")
    private static List<Object> joined(Object value) {
        assertThat(value).as("a variable that must be set").isNotNull();
        if (value instanceof Map<?, ?> map && map.get("Fn::Join") instanceof List<?> join && ",".equals(join.get(0))) {
            return (List<Object>) join.get(1);
        }
        return List.of(value);
    }

    private static Map<String, Object> environment(Synth.Result synth, String container) {
        return pairs(definition(synth, container).get("Environment"), "Value");
    }

    private static Map<String, Object> secrets(Synth.Result synth, String container) {
        return pairs(definition(synth, container).get("Secrets"), "ValueFrom");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pairs(Object list, String valueKey) {
        Map<String, Object> found = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Object item : Synth.list(list)) {
            Map<String, Object> pair = (Map<String, Object>) item;
            assertThat(seen.add((String) pair.get("Name"))).as("set once: " + pair.get("Name")).isTrue();
            found.put((String) pair.get("Name"), pair.get(valueKey));
        }
        return found;
    }

    /** The first container definition named {@code container} (every streams slot shares one definition). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> definition(Synth.Result synth, String container) {
        return resourcesOfType(synth, "AWS::ECS::TaskDefinition").values().stream()
                .flatMap(task -> Synth.list(Synth.properties(task).get("ContainerDefinitions")).stream())
                .map(c -> (Map<String, Object>) c)
                .filter(c -> container.equals(c.get("Name")))
                .findFirst().orElseThrow(() -> new AssertionError("no container " + container));
    }

    private static String policies(Synth.Result synth, String prefix) {
        return resourcesOfType(synth, "AWS::IAM::Policy").entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix)).map(e -> e.getValue().toString())
                .collect(Collectors.joining("\n"));
    }
}
