package dev.filetrail.aws.processing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class ProcessorsTest {
    private static final Template DEFAULTS = Synth.defaults().main();

    @Test
    void bothProcessorsRunJava21WithoutReservedConcurrencyOrLayerByDefault() {
        DEFAULTS.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "FunctionName", "filetrail-thumbnailer",
                "Runtime", "java21",
                "Handler", "dev.filetrail.lambda.thumbnails.ThumbnailHandler::handleRequest",
                "Architectures", List.of("arm64"),
                "MemorySize", 2048));
        DEFAULTS.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "FunctionName", "filetrail-metadata",
                "Runtime", "java21",
                "Handler", "dev.filetrail.lambda.metadata.MetadataHandler::handleRequest"));
        // An account with a small concurrency quota (new accounts: 10) cannot reserve any: unset deploys anywhere.
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::Lambda::Function").values()).map(Synth::properties)
                .filteredOn(p -> String.valueOf(p.get("Handler")).startsWith("dev.filetrail"))
                .hasSize(2)
                .allSatisfy(p -> assertThat(p).doesNotContainKeys("ReservedConcurrentExecutions", "Layers"));
        DEFAULTS.resourceCountIs("AWS::Lambda::LayerVersion", 0);
    }

    @Test
    void reservedConcurrencyAndALayerWhenAsked() {
        Template capped = Synth.of(Map.of("thumbnailerConcurrency", "50", "metadataConcurrency", "20")).main();
        capped.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "FunctionName", "filetrail-thumbnailer", "ReservedConcurrentExecutions", 50));
        capped.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "FunctionName", "filetrail-metadata", "ReservedConcurrentExecutions", 20));

        Map<String, Object> layer = Map.of("Ref", Match.stringLikeRegexp("ProcessingSharedLibraries.*"));
        Template tuned = Synth.tuned().main();
        tuned.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "FunctionName", "filetrail-thumbnailer", "Layers", List.of(layer)));
        tuned.hasResourceProperties("AWS::Lambda::LayerVersion", Map.of(
                "CompatibleRuntimes", List.of("java21"), "CompatibleArchitectures", List.of("arm64")));
    }

    @Test
    void failedInvocationsGoToTheFailuresQueue() {
        Map<String, Object> failures = Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ProcessingFailures.*"), "Arn"));
        DEFAULTS.resourceCountIs("AWS::Lambda::EventInvokeConfig", 2);
        for (String function : List.of("ProcessingThumbnailer", "ProcessingMetadata")) {
            DEFAULTS.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                    "DestinationConfig", Map.of("OnFailure", Map.of("Destination", failures)),
                    "MaximumRetryAttempts", 2,
                    "FunctionName", Map.of("Ref", Match.stringLikeRegexp(function + "[0-9A-F]{8}"))));
        }
        // And what SNS could not deliver to them at all.
        assertThat(Synth.resources(Synth.defaults().json(), "AWS::SNS::Subscription").values()).map(Synth::properties)
                .filteredOn(p -> "lambda".equals(p.get("Protocol")))
                .hasSize(2)
                .allSatisfy(p -> assertThat(p.get("RedrivePolicy").toString()).contains("ProcessingFailures"));
    }

    @Test
    void filterPoliciesLetOnlyCreatedObjectsThroughAndOnlyImagesToTheThumbnailer() {
        // The metadata function also reads the tags a tagging event names.
        Map<String, Object> created = Map.of("eventName", List.of(Map.of("prefix", "ObjectCreated:"),
                Map.of("prefix", "ObjectTagging:")));
        DEFAULTS.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "lambda",
                "Endpoint", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ProcessingMetadata.*"), "Arn")),
                "FilterPolicyScope", "MessageBody",
                "FilterPolicy", Map.of("Records", created)));
        Capture keys = new Capture();
        DEFAULTS.hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "lambda",
                "Endpoint", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ProcessingThumbnailer.*"), "Arn")),
                "FilterPolicyScope", "MessageBody",
                "FilterPolicy", Map.of("Records", Map.of(
                        "eventName", List.of(Map.of("prefix", "ObjectCreated:")),
                        "s3", Map.of("object", Map.of("key", keys))))));
        assertThat(keys.asArray()).contains(Map.of("suffix", ".jpg"), Map.of("suffix", ".JPG"),
                Map.of("suffix", ".png"), Map.of("suffix", ".heic"));
        assertThat(keys.asArray()).doesNotContain(Map.of("suffix", ".pdf"));
    }

    @Test
    void placeholderCodeIsUsedAndFlaggedUntilTheJarIsGiven() {
        Synth.defaults().annotations().hasWarning("/Filetrail/Processing",
                Match.stringLikeRegexp("Lambda code is a placeholder.*"));
        Synth.tuned().annotations().hasNoWarning("/Filetrail/Processing", Match.anyValue());
        // The real jar is a file asset, unlike the placeholder folder: the code hash differs.
        assertThat(codeKey(Synth.tuned().main())).isNotEqualTo(codeKey(DEFAULTS));
    }

    private static Object codeKey(Template template) {
        return Synth.resources(template.toJSON(), "AWS::Lambda::Function").values().stream().map(Synth::properties)
                .filter(p -> "filetrail-metadata".equals(p.get("FunctionName")))
                .map(p -> ((Map<?, ?>) p.get("Code")).get("S3Key")).findFirst().orElseThrow();
    }

    @Test
    void functionsWriteLogsWithRetentionToTheirOwnGroup() {
        DEFAULTS.allResourcesProperties("AWS::Lambda::Function", Map.of(
                "LoggingConfig", Map.of("LogGroup", Map.of("Ref", Match.anyValue()))));
        DEFAULTS.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 90));
    }
}
