package dev.filetrail.embedded.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;

/**
 * Records every AWS SDK call a Filetrail component makes during the tests, so deploy/aws can check each one
 * against the IAM policies the stack gives that component. The SDK loads it as a global interceptor (the
 * classpath resource {@code software/amazon/awssdk/global/handlers/execution.interceptors}), so it sees the
 * clients every module builds; it only records when the test JVM names a folder in the system property
 * {@value #DIRECTORY_PROPERTY} (the parent POM's surefire configuration does), and only calls whose client is
 * tagged with an app id {@code filetrail-<component>} — the tests' own set-up clients carry none.
 *
 * <p>One JSON line per distinct call: component, IAM service prefix, operation, region, the ARN of the resource
 * it touched (for a copy, its destination), whether it named an object version (for a copy, of its source), what it
 * does with object tags, and the HTTP status S3/SQS/SNS answered.
 */
public final class AwsCallRecorder implements ExecutionInterceptor {
    public static final String DIRECTORY_PROPERTY = "filetrail.aws.calls";
    /** The app id prefix components tag their clients with (the SDK adds it to the User-Agent as app/…). */
    public static final String APP_ID_PREFIX = "filetrail-";
    /** A call's {@code tags}: it neither names nor copies object tags. */
    public static final String TAGS_NONE = "none";
    /** A call's {@code tags}: it names tags for what it writes. */
    public static final String TAGS_SET = "set";
    /** A call's {@code tags}: a copy that carries its source's tags over. */
    public static final String TAGS_COPIED = "copied";
    private static final Pattern APP_ID = Pattern.compile("(?:^|\\s)app/" + Pattern.quote(APP_ID_PREFIX) + "([A-Za-z0-9._-]+)");

    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final Map<Path, Path> FILES = new HashMap<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        record(context.request(), Optional.of(context.httpRequest()), context.httpResponse().statusCode(), attributes);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        int status = context.httpResponse().map(r -> r.statusCode())
                .orElse(context.exception() instanceof SdkServiceException e ? e.statusCode() : 0);
        record(context.request(), context.httpRequest(), status, attributes);
    }

    private static void record(SdkRequest request, Optional<SdkHttpRequest> http, int status,
                               ExecutionAttributes attributes) {
        String directory = System.getProperty(DIRECTORY_PROPERTY);
        if (directory == null || directory.isBlank() || http.isEmpty()) {
            return;
        }
        Optional<String> component = component(http.get());
        if (component.isEmpty()) {
            return;
        }
        String service = iamPrefix(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        Region region = attributes.getAttribute(AwsExecutionAttribute.AWS_REGION);
        String regionId = region == null ? "" : region.id();
        Call call = new Call(component.get(), service, operation, regionId, arn(service, regionId, request),
                field(request, "VersionId") != null || copiesAVersion(http.get()), tags(service, operation, http.get()),
                status);
        String line = call.json();
        if (SEEN.add(directory + "\n" + line)) {
            append(Path.of(directory), line);
        }
    }

    /**
     * One recorded call, as deploy/aws reads it back.
     *
     * @param tags what the call does with object tags, which IAM authorises apart from the write itself:
     *             {@value #TAGS_NONE}, {@value #TAGS_SET} (it names tags: {@code x-amz-tagging} on a PutObject,
     *             CreateMultipartUpload or a REPLACE copy) or {@value #TAGS_COPIED} (a CopyObject with S3's default
     *             tagging directive, COPY, which carries the source's tags to the copy)
     */
    record Call(String component, String service, String operation, String region, String arn, boolean versioned,
                String tags, int status) {
        String json() {
            return "{\"component\":" + quote(component) + ",\"service\":" + quote(service)
                    + ",\"operation\":" + quote(operation) + ",\"region\":" + quote(region)
                    + ",\"arn\":" + quote(arn) + ",\"versioned\":" + versioned + ",\"tags\":" + quote(tags)
                    + ",\"status\":" + status + "}";
        }
    }

    /** What an S3 call does with tags, from the headers S3 reads them from. */
    static String tags(String service, String operation, SdkHttpRequest http) {
        if (!service.equals("s3")) {
            return TAGS_NONE;
        }
        boolean named = http.firstMatchingHeader("x-amz-tagging").filter(v -> !v.isEmpty()).isPresent();
        if (operation.equals("CopyObject")) {
            boolean replace = http.firstMatchingHeader("x-amz-tagging-directive")
                    .map("REPLACE"::equalsIgnoreCase).orElse(false);
            return !replace ? TAGS_COPIED : named ? TAGS_SET : TAGS_NONE;
        }
        return named ? TAGS_SET : TAGS_NONE;
    }

    /** A copy names its source's version in the {@code x-amz-copy-source} header ({@code …?versionId=…}). */
    private static boolean copiesAVersion(SdkHttpRequest http) {
        return http.firstMatchingHeader("x-amz-copy-source").map(v -> v.contains("versionId=")).orElse(false);
    }

    static Optional<String> component(SdkHttpRequest http) {
        return http.firstMatchingHeader("User-Agent").map(APP_ID::matcher).filter(Matcher::find).map(m -> m.group(1));
    }

    /** The SDK's service names (S3, Sqs, Sns, …) as IAM's action prefixes. */
    private static String iamPrefix(String serviceName) {
        return serviceName == null ? "" : serviceName.toLowerCase(java.util.Locale.ROOT);
    }

    /** The ARN IAM would authorize the request against, from the request's own fields. */
    static String arn(String service, String region, SdkRequest request) {
        switch (service) {
            case "s3" -> {
                String bucket = field(request, "Bucket");
                if (bucket == null) {
                    return "*";
                }
                String key = field(request, "Key");
                return "arn:aws:s3:::" + bucket + (key == null ? "" : "/" + key);
            }
            case "sqs" -> {
                String url = field(request, "QueueUrl");
                if (url != null) {
                    // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, and ElasticMQ's http://host:port/ACCOUNT/NAME.
                    String[] path = URI.create(url).getPath().replaceFirst("^/", "").split("/");
                    if (path.length == 2) {
                        return "arn:aws:sqs:" + region + ":" + path[0] + ":" + path[1];
                    }
                    return "arn:aws:sqs:" + region + ":*:" + path[path.length - 1];
                }
                String name = field(request, "QueueName");
                return name == null ? "*" : "arn:aws:sqs:" + region + ":*:" + name;
            }
            case "sns" -> {
                String topic = Optional.ofNullable(field(request, "TopicArn")).orElse(field(request, "TargetArn"));
                return topic == null ? "*" : topic;
            }
            case "lambda" -> {
                // Invoke names a function by name, full ARN or partial ARN; the account is the caller's own.
                String function = field(request, "FunctionName");
                if (function == null) {
                    return "*";
                }
                if (function.startsWith("arn:")) {
                    return function;
                }
                String name = function.contains(":function:")
                        ? function.substring(function.indexOf(":function:") + ":function:".length()) : function;
                return "arn:aws:lambda:" + region + ":*:function:" + name;
            }
            default -> {
                return "*";
            }
        }
    }

    private static String field(SdkRequest request, String name) {
        return request.getValueForField(name, String.class).filter(v -> !v.isEmpty()).orElse(null);
    }

    private static void append(Path directory, String line) {
        synchronized (FILES) {
            try {
                Path file = FILES.get(directory);
                if (file == null) {
                    Files.createDirectories(directory);
                    // One module's test JVM at a time writes here: what an earlier run recorded is superseded.
                    try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, "calls-*.jsonl")) {
                        for (Path stale : old) {
                            Files.deleteIfExists(stale);
                        }
                    }
                    file = directory.resolve("calls-" + ProcessHandle.current().pid() + ".jsonl");
                    FILES.put(directory, file);
                }
                Files.writeString(file, line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record an AWS call in " + directory, e);
            }
        }
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : (text == null ? "" : text).toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
