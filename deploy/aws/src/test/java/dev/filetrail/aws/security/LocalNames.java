package dev.filetrail.aws.security;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which resource of the stack plays the part of each bucket, queue and topic the tests used: the local stack's
 * fixed names (ARCHITECTURE.md) and the per-test names the modules' tests make up. A name no rule knows fails the
 * check, so a new test resource is mapped on purpose rather than skipped.
 */
final class LocalNames {
    /** The stack resources a component's call can touch. */
    enum Part {
        SOURCE_BUCKET, DERIVATIVES_BUCKET, INGEST_QUEUE, INGEST_DLQ, OBJECT_EVENTS_TOPIC, PROCESSING_RESULTS_TOPIC,
        JOURNAL_WAREHOUSE, THUMBNAILER_FUNCTION, METADATA_FUNCTION
    }

    private record Rule(String service, Pattern name, Part part) {
    }

    // First match wins: the DLQ rule comes before the general queue rule.
    private static final List<Rule> RULES = List.of(
            // The local stack's names (ARCHITECTURE.md).
            rule("s3", "filetrail-local", Part.SOURCE_BUCKET),
            rule("s3", "filetrail-local-derivatives", Part.DERIVATIVES_BUCKET),
            // The journal's Iceberg warehouse (deploy/journal's tests and the local stack).
            rule("s3", "filetrail-local-warehouse", Part.JOURNAL_WAREHOUSE),
            rule("sqs", "filetrail-ingest-dlq", Part.INGEST_DLQ),
            rule("sqs", "filetrail-ingest", Part.INGEST_QUEUE),
            rule("sns", "filetrail-object-events", Part.OBJECT_EVENTS_TOPIC),
            rule("sns", "filetrail-processing-results", Part.PROCESSING_RESULTS_TOPIC),
            // The local stack's Lambda functions (filetrail reprocess invokes them).
            rule("lambda", "filetrail-thumbnailer", Part.THUMBNAILER_FUNCTION),
            rule("lambda", "filetrail-metadata", Part.METADATA_FUNCTION),
            // deploy/local's OpsCommandsTest: a bucket from before Filetrail, backfilled and reconciled.
            rule("s3", "legacy-[0-9a-f]{8}", Part.SOURCE_BUCKET),
            // deploy/local's ReleaseCommandsTest: a bucket nobody watches, which the smoke check must fail on.
            rule("s3", "unwatched-[0-9a-f]{8}", Part.SOURCE_BUCKET),
            // lambda-processors' SourceBuckets.
            rule("s3", "source-[0-9a-f]{8}", Part.SOURCE_BUCKET),
            rule("s3", "derivatives-[0-9a-f]{8}", Part.DERIVATIVES_BUCKET),
            // query-api's ApiFixture.
            rule("s3", "src-.+", Part.SOURCE_BUCKET),
            rule("s3", "der-.+", Part.DERIVATIVES_BUCKET),
            // EmbeddedSqs.createQueueWithDlq's dead-letter queues, and ingest-bridge's per-scenario queues.
            rule("sqs", ".+-dlq", Part.INGEST_DLQ),
            rule("sqs", "[a-z]+-[0-9a-f]{8}", Part.INGEST_QUEUE));

    private final Map<Part, String> stackArns;

    /** @param stackArns the ARN each part has in the stack being checked */
    LocalNames(Map<Part, String> stackArns) {
        this.stackArns = stackArns;
    }

    private static Rule rule(String service, String name, Part part) {
        return new Rule(service, Pattern.compile(name), part);
    }

    /** The recorded call's resource as the stack's ARN, or empty when no rule names its local resource. */
    Optional<String> stackArn(RecordedCall call) {
        String arn = call.arn();
        if (arn.equals("*")) {
            return Optional.of("*");
        }
        String name;
        String rest = "";
        switch (call.service()) {
            case "s3" -> {
                String path = arn.substring("arn:aws:s3:::".length());
                int slash = path.indexOf('/');
                name = slash < 0 ? path : path.substring(0, slash);
                rest = slash < 0 ? "" : path.substring(slash);
            }
            case "sqs", "sns" -> name = arn.substring(arn.lastIndexOf(':') + 1);
            // arn:aws:lambda:REGION:ACCOUNT:function:NAME
            case "lambda" -> name = arn.substring(arn.indexOf(":function:") + ":function:".length());
            default -> {
                return Optional.empty();
            }
        }
        String localName = name;
        String suffix = rest;
        return RULES.stream()
                .filter(r -> r.service().equals(call.service()) && r.name().matcher(localName).matches())
                .findFirst()
                .map(r -> stackArns.get(r.part()) + suffix);
    }
}
