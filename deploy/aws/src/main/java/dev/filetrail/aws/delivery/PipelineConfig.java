package dev.filetrail.aws.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.filetrail.aws.ContextValues;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.events.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Every choice of the release pipeline, read from CDK context when the app runs with {@code -c pipeline=true};
 * the repository README ("Deploying to AWS", "The release pipeline") documents each key.
 *
 * @param context the pipeline's own context as given: the build synthesizes the pipeline from it again
 *                (self-update), so a change of code changes the pipeline and nothing else does
 */
public record PipelineConfig(String name, String repository, String branch, String connectionArn, Stage staging,
                             Stage production, Optional<String> approvalEmail, String buildImage, String cdkCliVersion,
                             String bootstrapQualifier, Map<String, Object> context) {

    /** Every context key the pipeline reads; a test keeps the README in step. */
    public static final List<String> KEYS = List.of("pipeline", "pipelineName", "repository", "branch",
            "connectionArn", "stagingStackName", "stagingRegion", "stagingContext", "stagingBakeMinutes",
            "productionStackName", "productionRegion", "productionContext", "productionBakeMinutes", "approvalEmail",
            "buildImage", "cdkCliVersion", "bootstrapQualifier");

    /** Staging is the production stack made small: two zones, one NAT gateway, small brokers, one task each. */
    public static final Map<String, String> STAGING_DEFAULTS = sorted(Map.of(
            "zoneCount", "2", "natGateways", "1", "kafkaInstanceType", "kafka.t3.small", "kafkaStorageMode", "LOCAL",
            "kafkaVolumeGb", "100", "databaseMaxAcu", "4", "streamsSlots", "2",
            "apiMinTasks", "1", "apiMaxTasks", "2"));

    /** Set by the pipeline itself for each stage; a stage context may not set them. */
    static final Set<String> PIPELINE_OWNED = Set.of("stackName", "region", "deliveredBy", "imageUri", "imageTag",
            "lambdaJar", "pauseServices");

    /**
     * One stage: the Filetrail stack it deploys and the complete context that stack is synthesized with (less the
     * image and the Lambda jar, which the build adds).
     *
     * @param billing whether the stage also deploys the {@code <stack>-Billing} stack (production only: cost
     *                alarms are account-wide)
     */
    public record Stage(String id, String stackName, String region, Map<String, String> context, int bakeMinutes,
                        boolean billing) {
        /** The stacks the stage deploys, in order. */
        public List<String> stacks() {
            return billing ? List.of(stackName, stackName + "-Billing") : List.of(stackName);
        }

        /** The regions its stacks live in (the billing stack is always in us-east-1). */
        public List<String> regions() {
            return billing && !region.equals("us-east-1") ? List.of(region, "us-east-1") : List.of(region);
        }
    }

    public PipelineConfig {
        checkName(name);
        require(repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"), "repository must be owner/name, got '" + repository + "'");
        require(connectionArn.matches("arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\\d{12}:connection/.+"),
                "connectionArn must be the ARN of a CodeConnections (CodeStar) connection to the repository's host");
        require(!staging.stackName().equals(production.stackName()), "staging and production need different stack names");
        // Sorted: the pipeline's template carries this as JSON and must not change from one synth to the next.
        context = sorted(context);
    }

    /** The pipeline stack's name. */
    public String stackName() {
        return name + "-pipeline";
    }

    /** Reads the configuration; {@code lookup} gives a context value (a string, or JSON from cdk.json). */
    public static PipelineConfig from(Function<String, Object> given) {
        // What was set, as it was set: the build synthesizes the pipeline from exactly this again.
        Map<String, Object> own = new LinkedHashMap<>();
        own.put("pipeline", "true");
        Function<String, Object> lookup = key -> {
            Object value = given.apply(key);
            if (value != null) {
                own.put(key, value);
            }
            return value;
        };
        ContextValues ctx = new ContextValues(lookup);
        // Checked before the stages, whose stacks carry it as deliveredBy.
        String name = checkName(ctx.string("pipelineName", "filetrail"));
        String productionRegion = ctx.string("productionRegion", StackConfig.DEFAULT_REGION);
        Stage staging = stage("Staging", ctx.string("stagingStackName", "FiletrailStaging"),
                ctx.string("stagingRegion", productionRegion), STAGING_DEFAULTS, contextObject(lookup, "stagingContext"),
                ctx.integer("stagingBakeMinutes", 15), false, name);
        Stage production = stage("Production", ctx.string("productionStackName", "Filetrail"), productionRegion,
                Map.of(), contextObject(lookup, "productionContext"), ctx.integer("productionBakeMinutes", 30), true, name);
        return new PipelineConfig(name,
                ctx.optional("repository").orElseThrow(() -> new IllegalArgumentException(
                        "repository (owner/name of the GitHub repository the pipeline builds) must be set")),
                ctx.string("branch", "main"),
                ctx.optional("connectionArn").orElseThrow(() -> new IllegalArgumentException(
                        "connectionArn (the CodeConnections connection to GitHub, made once in the console) must be set")),
                staging, production,
                ctx.optional("approvalEmail"),
                ctx.string("buildImage", "public.ecr.aws/docker/library/node:20-bookworm"),
                ctx.string("cdkCliVersion", "2.1148.1"),
                ctx.string("bootstrapQualifier", "hnb659fds"),
                own);
    }

    private static Stage stage(String id, String stackName, String region, Map<String, String> defaults,
                               Map<String, String> given, int bakeMinutes, boolean billing, String pipeline) {
        for (String key : given.keySet()) {
            require(!PIPELINE_OWNED.contains(key), id + " context must not set " + key + ": the pipeline sets it");
        }
        require(given.containsKey("cloudFrontPublicKeyPem") || given.containsKey("cloudFrontPublicKeyFile"),
                id + " context needs cloudFrontPublicKeyPem (the public half of the stage's URL-signing key): "
                        + "without it every deploy would put the placeholder key in its place");
        require(bakeMinutes >= 1 && bakeMinutes <= 120, id + " bake time must be 1..120 minutes");
        Map<String, String> context = new LinkedHashMap<>(defaults);
        context.putAll(given);
        context.put("stackName", stackName);
        context.put("region", region);
        context.put("deliveredBy", pipeline);
        // Fail at the pipeline's synth, not at a stage's deploy, on a value the stack would refuse.
        StackConfig.from(new ContextValues(context::get));
        return new Stage(id, stackName, region, sorted(context), bakeMinutes, billing);
    }

    /** A JSON object given as text ({@code -c key='{"a":"b"}'}) or as an object in cdk.json; values as strings. */
    private static Map<String, String> contextObject(Function<String, Object> lookup, String key) {
        Object value = lookup.apply(key);
        if (value == null || value.toString().isBlank()) {
            return Map.of();
        }
        Map<String, Object> raw;
        if (value instanceof Map<?, ?> map) {
            raw = new LinkedHashMap<>();
            map.forEach((k, v) -> raw.put(k.toString(), v));
        } else {
            try {
                raw = Json.MAPPER.readValue(value.toString(), new TypeReference<LinkedHashMap<String, Object>>() {
                });
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(key + " must be a JSON object of stack context, got '" + value + "'", e);
            }
        }
        Map<String, String> strings = new LinkedHashMap<>();
        raw.forEach((k, v) -> strings.put(k, v instanceof List<?> items ? String.join(",", items.stream()
                .map(Object::toString).toList()) : String.valueOf(v)));
        return strings;
    }

    private static String checkName(String name) {
        require(name.matches("[a-z][a-z0-9-]{0,19}"), "pipelineName: lower-case letters, digits and '-', at most 20");
        return name;
    }

    private static <V> Map<String, V> sorted(Map<String, V> map) {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(map));
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
