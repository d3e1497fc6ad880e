package dev.filetrail.aws.alarms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class OperationalAlarmsTest {
    private static final Template DEFAULTS = Synth.defaults().main();
    private static final Map<String, Object> TO_TOPIC = Map.of("Ref", Match.stringLikeRegexp("AlarmsTopic[0-9A-F]{8}"));

    private static Map<String, Object> alarm(String name, Map<String, Object> expected) {
        Map<String, Object> matcher = new java.util.LinkedHashMap<>(expected);
        matcher.put("AlarmName", name);
        matcher.put("AlarmActions", List.of(TO_TOPIC));
        matcher.put("OKActions", List.of(TO_TOPIC));
        return matcher;
    }

    @Test
    void alarmsGoToAnSnsAlarmTopic() {
        DEFAULTS.hasResourceProperties("AWS::SNS::Topic", Map.of("TopicName", "filetrail-alarms"));
        List<Map<String, Object>> operational = Synth.resources(Synth.defaults().json(), "AWS::CloudWatch::Alarm").values()
                .stream().map(Synth::properties)
                .filter(p -> !p.get("AlarmActions").toString().contains("ScalingPolicy")
                        && !p.get("AlarmActions").toString().contains("TaskCountTarget"))
                .toList();
        assertThat(operational).hasSize(13).allSatisfy(p ->
                assertThat(p.get("AlarmActions").toString()).contains("AlarmsTopic"));
        Synth.tuned().main().hasResourceProperties("AWS::SNS::Subscription", Map.of(
                "Protocol", "email", "Endpoint", "ops@example.com",
                "TopicArn", Map.of("Ref", Match.stringLikeRegexp("AlarmsTopic.*"))));
    }

    @Test
    void dlqNotEmpty() {
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-ingest-dlq-not-empty", Map.of(
                "Namespace", "AWS/SQS",
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestDeadLetters.*"), "QueueName")))),
                "Statistic", "Maximum",
                "Threshold", 0,
                "ComparisonOperator", "GreaterThanThreshold",
                "EvaluationPeriods", 1)));
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-processing-failures-not-empty", Map.of(
                "MetricName", "ApproximateNumberOfMessagesVisible",
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("ProcessingFailures.*"), "QueueName")))),
                "Threshold", 0)));
    }

    @Test
    void ageOfOldestIngestMessage() {
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-ingest-oldest-message-age", Map.of(
                "MetricName", "ApproximateAgeOfOldestMessage",
                "Dimensions", List.of(Map.of("Name", "QueueName",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("IngestQueue.*"), "QueueName")))),
                "Threshold", 900,
                "ComparisonOperator", "GreaterThanThreshold")));
    }

    @Test
    void consumerLagOfBothKafkaConsumers() {
        for (String group : List.of("filetrail-metadata-streams", "filetrail-query-projector")) {
            DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-consumer-lag-" + group, Map.of(
                    "Namespace", "AWS/Kafka",
                    "MetricName", "EstimatedMaxTimeLag",
                    "Dimensions", Match.arrayWith(List.of(
                            Map.of("Name", "Cluster Name", "Value", "filetrail-kafka"),
                            Map.of("Name", "Consumer Group", "Value", group))),
                    "Threshold", 300)));
        }
        // An existing MSK cluster is watched by the name in its ARN.
        Synth.existing().main().hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", "EstimatedMaxTimeLag",
                "Dimensions", Match.arrayWith(List.of(Map.of("Name", "Cluster Name", "Value", "prod")))));
    }

    @Test
    void theProjectorsLagIsWatchedOnTheOffsetsItCommitsToKafka() {
        // The projector commits its offsets to Kafka after each PostgreSQL commit, so MSK publishes
        // EstimatedMaxTimeLag for its group on the busiest topic it reads.
        assertThat(OperationalAlarms.WATCHED_LAG).containsEntry("filetrail-query-projector", "filetrail.file-versions.v1");
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-consumer-lag-filetrail-query-projector",
                Map.of("Dimensions", Match.arrayWith(List.of(Map.of("Name", "Topic", "Value", "filetrail.file-versions.v1"))),
                        "Statistic", "Maximum", "ComparisonOperator", "GreaterThanThreshold")));
    }

    @Test
    void theFirstParkedRecordOfEachKindAlarmsFromTheServicesLogs() {
        Map<String, String> phrases = Map.of(
                "bridge", "message dead-lettered", "streams", "streams record dead-lettered",
                "api", "projector rejected record");
        for (OperationalAlarms.ParkedRecords parked : OperationalAlarms.PARKED) {
            assertThat(parked.phrase()).isEqualTo(phrases.get(parked.service()));
            String logGroup = "Services" + Character.toUpperCase(parked.service().charAt(0)) + parked.service().substring(1)
                    + "Logs";
            DEFAULTS.hasResourceProperties("AWS::Logs::MetricFilter", Map.of(
                    "LogGroupName", Map.of("Ref", Match.stringLikeRegexp(logGroup + "[0-9A-F]{8}")),
                    "FilterPattern", "\"" + parked.phrase() + "\"",
                    "MetricTransformations", List.of(Match.objectLike(Map.of(
                            "MetricNamespace", "Filetrail", "MetricName", parked.id(), "MetricValue", "1")))));
            DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm(
                    "filetrail-" + parked.service() + "-parked-records", Map.of(
                            "Namespace", "Filetrail", "MetricName", parked.id(), "Statistic", "Sum",
                            "Threshold", 0, "ComparisonOperator", "GreaterThanThreshold", "EvaluationPeriods", 1,
                            "TreatMissingData", "notBreaching")));
        }
        DEFAULTS.resourceCountIs("AWS::Logs::MetricFilter", 3);
    }

    @Test
    void lambdaErrorsAndThrottles() {
        for (String function : List.of("thumbnailer", "metadata")) {
            String id = function.equals("thumbnailer") ? "ProcessingThumbnailer" : "ProcessingMetadata";
            Map<String, Object> dimension = Map.of("Name", "FunctionName",
                    "Value", Map.of("Ref", Match.stringLikeRegexp(id + "[0-9A-F]{8}")));
            DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-" + function + "-errors", Map.of(
                    "Namespace", "AWS/Lambda", "MetricName", "Errors", "Dimensions", List.of(dimension),
                    "Statistic", "Sum", "Threshold", 5)));
            DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-" + function + "-throttles", Map.of(
                    "Namespace", "AWS/Lambda", "MetricName", "Throttles", "Dimensions", List.of(dimension),
                    "Threshold", 1, "ComparisonOperator", "GreaterThanOrEqualToThreshold")));
        }
    }

    @Test
    void api5xxRate() {
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("filetrail-api-5xx-rate", Map.of(
                "Threshold", 5,
                "ComparisonOperator", "GreaterThanThreshold",
                // arrayWith keeps order: the expression, then its metrics sorted by id (OperationalAlarms sorts them
                // so that every synth writes the same template).
                "Metrics", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Expression", Match.stringLikeRegexp(".*100 \\* \\(FILL\\(target5xx.*/ requests.*"))),
                        Match.objectLike(Map.of("Id", "elb5xx", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Match.objectLike(Map.of("MetricName", "HTTPCode_ELB_5XX_Count")))))),
                        Match.objectLike(Map.of("Id", "requests", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Match.objectLike(Map.of("MetricName", "RequestCount")))))),
                        Match.objectLike(Map.of("Id", "target5xx", "MetricStat", Match.objectLike(Map.of(
                                "Metric", Match.objectLike(Map.of("MetricName", "HTTPCode_Target_5XX_Count")))))))))));
    }

    @Test
    void oneCompositeAlarmIsInAlarmWhileAnyOtherIsForTheReleasePipeline() {
        Map<String, Map<String, Object>> composites = Synth.resources(Synth.defaults().json(), "AWS::CloudWatch::CompositeAlarm");
        assertThat(composites).hasSize(1);
        Map<String, Object> props = Synth.properties(composites.values().iterator().next());
        assertThat(props).containsEntry("AlarmName", OperationalAlarms.releaseHealthName("Filetrail"))
                .containsEntry("AlarmName", "filetrail-release-health").containsEntry("ActionsEnabled", false);
        // The rule names every operational alarm (by its ARN), joined by OR.
        String rule = props.get("AlarmRule").toString();
        Map<String, Map<String, Object>> alarms = Synth.resources(Synth.defaults().json(), "AWS::CloudWatch::Alarm");
        List<String> operational = alarms.entrySet().stream()
                .filter(e -> e.getValue().toString().contains("AlarmsTopic")).map(Map.Entry::getKey).toList();
        assertThat(operational).hasSize(13).allSatisfy(id -> assertThat(rule).contains(id));
        assertThat(rule).contains("ALARM(").contains(" OR ");
        assertThat(alarms.keySet().stream().filter(rule::contains)).as("no scaling alarm").hasSize(13);
    }
}
