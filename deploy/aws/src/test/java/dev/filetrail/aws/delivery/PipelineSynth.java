package dev.filetrail.aws.delivery;

import dev.filetrail.aws.FiletrailApp;
import dev.filetrail.aws.Synth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/** Synthesized release pipelines for the tests, one per distinct context, and the stages as the pipeline makes them. */
final class PipelineSynth {
    static final String CONNECTION = "arn:aws:codeconnections:ap-northeast-2:111122223333:connection/0a1b2c3d";
    static final String STAGING_KEY = Synth.TEST_PUBLIC_KEY;
    static final String PRODUCTION_KEY = Synth.TEST_PUBLIC_KEY.replace("testkey", "prodkey");
    private static final Map<Map<String, Object>, Result> CACHE = new ConcurrentHashMap<>();

    /** One synthesized pipeline stack. */
    record Result(DeliveryPipelineStack stack, Template template, Map<String, Object> json) {
        PipelineConfig config() {
            return stack.config();
        }

        /** The CloudFormation stages of the pipeline, in order. */
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages() {
            Map<String, Object> pipeline = Synth.resources(json, "AWS::CodePipeline::Pipeline").values().iterator().next();
            return (List<Map<String, Object>>) Synth.properties(pipeline).get("Stages");
        }

        /** The environment variables of a CodeBuild project, by its construct id (Build, StagingSmoke, …). */
        @SuppressWarnings("unchecked")
        Map<String, Object> environment(String projectId) {
            Map<String, Object> variables = new LinkedHashMap<>();
            Map<String, Object> project = project(projectId);
            for (Object v : (List<Object>) ((Map<String, Object>) Synth.properties(project).get("Environment"))
                    .get("EnvironmentVariables")) {
                Map<String, Object> variable = (Map<String, Object>) v;
                variables.put((String) variable.get("Name"), variable.get("Value"));
            }
            return variables;
        }

        Map<String, Object> project(String projectId) {
            return Synth.resources(json, "AWS::CodeBuild::Project").entrySet().stream()
                    .filter(e -> e.getKey().matches(projectId + "[0-9A-F]{8}")).map(Map.Entry::getValue)
                    .findFirst().orElseThrow(() -> new AssertionError("no project " + projectId));
        }
    }

    private PipelineSynth() {
    }

    /** What an operator gives: the repository, its connection, and each stage's URL-signing public key. */
    static Map<String, Object> context() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("pipeline", "true");
        context.put("repository", "filetrail/filetrail");
        context.put("connectionArn", CONNECTION);
        context.put("stagingContext", Map.of("cloudFrontPublicKeyPem", STAGING_KEY));
        // As text, the way -c passes it on a command line.
        context.put("productionContext", "{\"cloudFrontPublicKeyPem\": \"" + PRODUCTION_KEY.replace("\n", "\\n")
                + "\", \"alarmEmail\": \"ops@example.com\"}");
        return context;
    }

    static Result defaults() {
        return of(context());
    }

    static Result of(Map<String, Object> context) {
        return CACHE.computeIfAbsent(Map.copyOf(context), ctx -> {
            App app = new App(AppProps.builder().context(new LinkedHashMap<>(ctx)).build());
            DeliveryPipelineStack stack = new DeliveryPipelineStack(app,
                    PipelineConfig.from(key -> app.getNode().tryGetContext(key)));
            Template template = Template.fromStack(stack);
            return new Result(stack, template, template.toJSON());
        });
    }

    /** A stage's Filetrail stack as the Build step synthesizes it: its context plus an image and the Lambda jar. */
    static FiletrailApp.Stacks stage(PipelineConfig.Stage stage) {
        Map<String, Object> context = new LinkedHashMap<>(stage.context());
        context.put("imageUri", "111122223333.dkr.ecr.ap-northeast-2.amazonaws.com/filetrail-release:0123abcd");
        context.put("lambdaJar", Synth.lambdaJar().toString());
        return Synth.of(context).stacks();
    }
}
