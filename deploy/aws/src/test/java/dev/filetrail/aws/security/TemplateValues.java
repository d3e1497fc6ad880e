package dev.filetrail.aws.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves CloudFormation expressions ({@code Ref}, {@code Fn::GetAtt}, {@code Fn::Join}, {@code Fn::Sub},
 * {@code Fn::Select}, {@code Fn::Split}, pseudo parameters) to the values the resources would have once deployed
 * into a stand-in account and region: every bucket, queue, topic, key and role gets the ARN AWS would give it,
 * built from its name property or, when CloudFormation would generate the name, from its logical id. A policy's
 * {@code {"Fn::GetAtt":["BucketsSource…","Arn"]}} and a recorded call's bucket thus meet as the same string.
 */
final class TemplateValues {
    static final String ACCOUNT = "111122223333";
    static final String PARTITION = "aws";
    private static final Pattern SUB = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final Map<String, Object> resources;
    private final String region;

    @SuppressWarnings("unchecked")
    TemplateValues(Map<String, Object> template, String region) {
        this.resources = (Map<String, Object>) template.get("Resources");
        this.region = region;
    }

    String region() {
        return region;
    }

    /** A literal, or an expression built from the functions above; anything else is an error naming it. */
    @SuppressWarnings("unchecked")
    String resolve(Object expression) {
        if (expression instanceof String text) {
            return text;
        }
        if (expression instanceof Number || expression instanceof Boolean) {
            return expression.toString();
        }
        if (!(expression instanceof Map<?, ?> map) || map.size() != 1) {
            throw new IllegalArgumentException("not a CloudFormation expression: " + expression);
        }
        Map.Entry<String, Object> fn = ((Map<String, Object>) map).entrySet().iterator().next();
        Object arg = fn.getValue();
        return switch (fn.getKey()) {
            case "Ref" -> ref((String) arg);
            case "Fn::GetAtt" -> arg instanceof String dotted
                    ? getAtt(dotted.substring(0, dotted.indexOf('.')), dotted.substring(dotted.indexOf('.') + 1))
                    : getAtt((String) ((List<Object>) arg).get(0), resolve(((List<Object>) arg).get(1)));
            case "Fn::Join" -> {
                List<Object> parts = (List<Object>) arg;
                List<String> values = new ArrayList<>();
                for (Object part : (List<Object>) parts.get(1)) {
                    values.add(resolve(part));
                }
                yield String.join(resolve(parts.get(0)), values);
            }
            case "Fn::Select" -> {
                List<Object> parts = (List<Object>) arg;
                int index = Integer.parseInt(resolve(parts.get(0)));
                yield list(parts.get(1)).get(index);
            }
            case "Fn::Sub" -> sub(arg);
            default -> throw new IllegalArgumentException("unsupported CloudFormation function " + fn.getKey());
        };
    }

    /** A list-valued expression: a literal list or {@code Fn::Split}. */
    @SuppressWarnings("unchecked")
    private List<String> list(Object expression) {
        if (expression instanceof List<?> items) {
            return items.stream().map(this::resolve).toList();
        }
        if (expression instanceof Map<?, ?> map && map.containsKey("Fn::Split")) {
            List<Object> parts = (List<Object>) map.get("Fn::Split");
            return List.of(resolve(parts.get(1)).split(Pattern.quote(resolve(parts.get(0))), -1));
        }
        throw new IllegalArgumentException("not a list expression: " + expression);
    }

    @SuppressWarnings("unchecked")
    private String sub(Object arg) {
        String text;
        Map<String, Object> variables = Map.of();
        if (arg instanceof List<?> parts) {
            text = (String) parts.get(0);
            variables = (Map<String, Object>) parts.get(1);
        } else {
            text = (String) arg;
        }
        Matcher m = SUB.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = variables.containsKey(name) ? resolve(variables.get(name))
                    : name.contains(".") ? getAtt(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1))
                    : ref(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    String ref(String name) {
        switch (name) {
            case "AWS::AccountId" -> {
                return ACCOUNT;
            }
            case "AWS::Region" -> {
                return region;
            }
            case "AWS::Partition" -> {
                return PARTITION;
            }
            case "AWS::URLSuffix" -> {
                return "amazonaws.com";
            }
            case "AWS::StackName" -> {
                return "Filetrail";
            }
            default -> {
                // Ref of a resource: what CloudFormation returns for that type.
                String type = type(name);
                return switch (type) {
                    case "AWS::SQS::Queue" -> "https://sqs." + region + ".amazonaws.com/" + ACCOUNT + "/" + name(name);
                    case "AWS::SNS::Topic" -> getAtt(name, "TopicArn");
                    case "AWS::SecretsManager::Secret" -> "arn:" + PARTITION + ":secretsmanager:" + region + ":" + ACCOUNT
                            + ":secret:" + name(name) + "-AbCdEf";
                    case "AWS::KMS::Key" -> "key-" + name.toLowerCase(Locale.ROOT);
                    default -> name(name);
                };
            }
        }
    }

    String getAtt(String logicalId, String attribute) {
        String type = type(logicalId);
        String name = name(logicalId);
        String arn = switch (type) {
            case "AWS::S3::Bucket" -> "arn:" + PARTITION + ":s3:::" + name;
            case "AWS::SQS::Queue" -> "arn:" + PARTITION + ":sqs:" + region + ":" + ACCOUNT + ":" + name;
            case "AWS::SNS::Topic" -> "arn:" + PARTITION + ":sns:" + region + ":" + ACCOUNT + ":" + name;
            case "AWS::KMS::Key" -> "arn:" + PARTITION + ":kms:" + region + ":" + ACCOUNT + ":key/" + ref(logicalId);
            case "AWS::IAM::Role" -> "arn:" + PARTITION + ":iam::" + ACCOUNT + ":role/" + name;
            case "AWS::Logs::LogGroup" -> "arn:" + PARTITION + ":logs:" + region + ":" + ACCOUNT + ":log-group:" + name + ":*";
            case "AWS::MSK::Cluster" -> "arn:" + PARTITION + ":kafka:" + region + ":" + ACCOUNT + ":cluster/" + name + "/uuid";
            case "AWS::ECR::Repository" -> "arn:" + PARTITION + ":ecr:" + region + ":" + ACCOUNT + ":repository/" + name;
            case "AWS::Lambda::Function" -> "arn:" + PARTITION + ":lambda:" + region + ":" + ACCOUNT + ":function:" + name;
            default -> logicalId + ".Arn";
        };
        return switch (attribute) {
            case "Arn", "TopicArn" -> arn;
            case "QueueName", "TopicName" -> name;
            case "QueueUrl" -> ref(logicalId);
            default -> logicalId + "." + attribute;
        };
    }

    /** The physical name: the template's name property when it sets one, else one made from the logical id. */
    @SuppressWarnings("unchecked")
    String name(String logicalId) {
        Map<String, Object> resource = resource(logicalId);
        Map<String, Object> properties = (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
        for (String property : List.of("BucketName", "QueueName", "TopicName", "RoleName", "LogGroupName",
                "ClusterName", "RepositoryName", "FunctionName", "Name")) {
            if (properties.containsKey(property)) {
                return resolve(properties.get(property));
            }
        }
        return logicalId.toLowerCase(Locale.ROOT);
    }

    String type(String logicalId) {
        return (String) resource(logicalId).get("Type");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> resource(String logicalId) {
        Object resource = resources.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("no resource " + logicalId + " in the template");
        }
        return (Map<String, Object>) resource;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> resources() {
        return (Map<String, Map<String, Object>>) (Map<?, ?>) resources;
    }
}
