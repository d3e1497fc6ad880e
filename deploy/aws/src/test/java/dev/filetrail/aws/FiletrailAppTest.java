package dev.filetrail.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.assertions.Match;

class FiletrailAppTest {

    @Test
    void deploysToSeoulByDefault() {
        FiletrailApp.Stacks stacks = Synth.defaults().stacks();

        assertThat(stacks.main().getRegion()).isEqualTo("ap-northeast-2");
        assertThat(stacks.main().getStackName()).isEqualTo("Filetrail");
        // The bucket names carry the region, so this also proves it reached the resources.
        Synth.defaults().main().hasResourceProperties("AWS::S3::Bucket", Map.of(
                "BucketName", Map.of("Fn::Join", Match.arrayWith(java.util.List.of(
                        Match.arrayWith(java.util.List.of("-ap-northeast-2")))))));
    }

    @Test
    void deploysToAnyRegionByContext() {
        FiletrailApp.Stacks stacks = Synth.existing().stacks();

        assertThat(stacks.main().getRegion()).isEqualTo("eu-west-1");
        // Billing metrics exist only in us-east-1, wherever the stack is.
        assertThat(stacks.billing().getRegion()).isEqualTo("us-east-1");
        assertThat(Synth.defaults().stacks().billing().getRegion()).isEqualTo("us-east-1");
    }

    @Test
    void theStackIsProtectedFromDeletion() {
        assertThat(Synth.defaults().stacks().main().getTerminationProtection()).isTrue();
    }

    @Test
    void everyResourceCarriesTheCostAllocationTag() {
        Synth.defaults().main().allResourcesProperties("AWS::S3::Bucket", Map.of(
                "Tags", Match.arrayWith(java.util.List.of(Map.of("Key", "Project", "Value", "filetrail")))));
        Synth.defaults().main().allResourcesProperties("AWS::Lambda::Function", Map.of(
                "Tags", Match.arrayWith(java.util.List.of(Map.of("Key", "Project", "Value", "filetrail")))));
    }

    @Test
    void synthesizeWritesTheTemplatesWithoutTheCdkCli(@TempDir Path outdir) throws IOException {
        Path written = FiletrailApp.synthesize(new String[] {"-c", "region=eu-central-1", "stackName=FtTest"}, outdir);

        assertThat(Files.isSameFile(written, outdir)).isTrue();
        assertThat(Files.readString(outdir.resolve("FtTest.template.json")))
                .contains("AWS::S3::Bucket").contains("-eu-central-1");
        assertThat(outdir.resolve("FtTest-Billing.template.json")).exists();
        assertThat(Files.readString(outdir.resolve("manifest.json"))).contains("aws://unknown-account/eu-central-1");
    }

    @Test
    void contextArgumentsAreKeyValuePairs() {
        assertThat(FiletrailApp.contextFrom(new String[] {"region=us-east-2", "-c", "dlqMaxReceives=7",
                "--context", "imageUri=repo/image:1"}))
                .containsExactly(Map.entry("region", "us-east-2"), Map.entry("dlqMaxReceives", "7"),
                        Map.entry("imageUri", "repo/image:1"));
        assertThatThrownBy(() -> FiletrailApp.contextFrom(new String[] {"region"}))
                .hasMessageContaining("key=value");
    }
}
