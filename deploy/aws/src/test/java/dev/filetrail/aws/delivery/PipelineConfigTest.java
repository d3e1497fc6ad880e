package dev.filetrail.aws.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.aws.ModuleHome;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

    private static PipelineConfig config(Map<String, Object> changes) {
        Map<String, Object> context = new LinkedHashMap<>(PipelineSynth.context());
        context.putAll(changes);
        context.values().removeIf(v -> v.equals(""));
        return PipelineConfig.from(context::get);
    }

    @Test
    void defaultsDeliverToFiletrailStagingThenFiletrailInSeoul() {
        PipelineConfig config = config(Map.of());

        assertThat(config.name()).isEqualTo("filetrail");
        assertThat(config.stackName()).isEqualTo("filetrail-pipeline");
        assertThat(config.branch()).isEqualTo("main");
        assertThat(config.production().stackName()).isEqualTo("Filetrail");
        assertThat(config.production().region()).isEqualTo("ap-northeast-2");
        assertThat(config.production().stacks()).containsExactly("Filetrail", "Filetrail-Billing");
        assertThat(config.production().regions()).containsExactly("ap-northeast-2", "us-east-1");
        assertThat(config.staging().stackName()).isEqualTo("FiletrailStaging");
        assertThat(config.staging().region()).as("beside production unless told").isEqualTo("ap-northeast-2");
        assertThat(config.staging().stacks()).containsExactly("FiletrailStaging");
        assertThat(config.staging().context()).containsAllEntriesOf(PipelineConfig.STAGING_DEFAULTS)
                .containsEntry("stackName", "FiletrailStaging").containsEntry("deliveredBy", "filetrail")
                .containsEntry("cloudFrontPublicKeyPem", PipelineSynth.STAGING_KEY);
        assertThat(config.production().context()).containsEntry("alarmEmail", "ops@example.com")
                .containsEntry("cloudFrontPublicKeyPem", PipelineSynth.PRODUCTION_KEY)
                .doesNotContainKey("zoneCount");
    }

    @Test
    void aStageContextOverridesTheStagingDefaultsButNotWhatThePipelineSets() {
        PipelineConfig config = config(Map.of("stagingContext", Map.of("cloudFrontPublicKeyPem", "k", "zoneCount", 3,
                "natGateways", 3), "stagingRegion", "eu-west-1", "productionRegion", "us-west-2"));
        assertThat(config.staging().context()).containsEntry("zoneCount", "3").containsEntry("region", "eu-west-1");
        assertThat(config.production().region()).isEqualTo("us-west-2");

        assertThatThrownBy(() -> config(Map.of("stagingContext", Map.of("cloudFrontPublicKeyPem", "k", "stackName", "X"))))
                .hasMessageContaining("must not set stackName");
        assertThatThrownBy(() -> config(Map.of("productionContext", "{\"cloudFrontPublicKeyPem\":\"k\",\"imageUri\":\"x\"}")))
                .hasMessageContaining("must not set imageUri");
    }

    @Test
    void everyStageNeedsItsUrlSigningKeyAndValuesTheStackAccepts() {
        assertThatThrownBy(() -> config(Map.of("productionContext", "{}")))
                .hasMessageContaining("Production context needs cloudFrontPublicKeyPem");
        assertThatThrownBy(() -> config(Map.of("stagingContext", Map.of("cloudFrontPublicKeyPem", "k", "zoneCount", "5"))))
                .hasMessageContaining("2 or 3 availability zones");
        assertThatThrownBy(() -> config(Map.of("productionContext", "not json")))
                .hasMessageContaining("productionContext must be a JSON object");
    }

    @Test
    void theRepositoryItsConnectionAndNamesAreChecked() {
        assertThatThrownBy(() -> config(Map.of("repository", ""))).hasMessageContaining("repository");
        assertThatThrownBy(() -> config(Map.of("repository", "no-owner"))).hasMessageContaining("owner/name");
        assertThatThrownBy(() -> config(Map.of("connectionArn", ""))).hasMessageContaining("connectionArn");
        assertThatThrownBy(() -> config(Map.of("connectionArn", "arn:aws:iam::111122223333:user/deployer")))
                .hasMessageContaining("CodeConnections");
        assertThatThrownBy(() -> config(Map.of("pipelineName", "Filetrail_Prod"))).hasMessageContaining("pipelineName");
        assertThatThrownBy(() -> config(Map.of("stagingStackName", "Filetrail"))).hasMessageContaining("different stack names");
        assertThatThrownBy(() -> config(Map.of("stagingBakeMinutes", "0"))).hasMessageContaining("bake time");
    }

    @Test
    void theContextItWasGivenIsKeptForItsOwnSelfUpdate() {
        PipelineConfig config = config(Map.of("branch", "release"));
        assertThat(config.context()).containsEntry("branch", "release").containsEntry("pipeline", "true")
                .containsKeys("repository", "connectionArn", "stagingContext", "productionContext")
                .doesNotContainKey("region");
        assertThat(List.copyOf(config.context().keySet())).isSorted();
    }

    @Test
    void keysListsExactlyTheKeysThePipelineReads() {
        Set<String> read = new LinkedHashSet<>();
        Map<String, Object> context = PipelineSynth.context();
        PipelineConfig.from(key -> {
            read.add(key);
            return context.get(key);
        });
        // "pipeline" is read by the app to choose the pipeline; the config keeps it for the self-update.
        read.add("pipeline");
        assertThat(read).containsExactlyInAnyOrderElementsOf(PipelineConfig.KEYS);
    }

    @Test
    void readmeDocumentsEveryPipelineKey() throws IOException {
        String readme = Files.readString(ModuleHome.path().resolve("../../README.md").normalize());
        assertThat(PipelineConfig.KEYS).allSatisfy(key -> assertThat(readme).contains("`" + key + "`"));
    }
}
