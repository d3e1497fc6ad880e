package dev.filetrail.aws.alarms;

import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.data.KafkaAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmRule;
import software.amazon.awscdk.services.cloudwatch.CompositeAlarm;
import software.amazon.awscdk.services.cloudwatch.AlarmState;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IAlarmRule;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.HttpCodeElb;
import software.amazon.awscdk.services.elasticloadbalancingv2.HttpCodeTarget;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/** CloudWatch alarms on everything that can silently fall behind or fail, all sent to one SNS alarm topic. */
public final class OperationalAlarms extends Construct {
    /** The consumer groups and the topic each one's lag is watched on (the busiest topic it reads). */
    public static final Map<String, String> WATCHED_LAG = Map.of(
            KafkaAccess.STREAMS_APPLICATION_ID, KafkaAccess.OBJECT_EVENTS,
            KafkaAccess.API_CONSUMER_GROUP, KafkaAccess.FILE_VERSIONS);

    /**
     * The line each service logs once per record it parks instead of applying (the nothing-blocks rule): a parked
     * record is data the read model does not show until someone looks, so the first one alarms.
     */
    public record ParkedRecords(String id, String service, String phrase, String what) {
    }

    public static final List<ParkedRecords> PARKED = List.of(
            new ParkedRecords("BridgeDeadLetters", "bridge", "message dead-lettered",
                    "the ingest bridge parked an SQS message on filetrail.ingest-dlq.v1 (filetrail dlq list)"),
            new ParkedRecords("StreamsDeadLetters", "streams", "streams record dead-lettered",
                    "metadata-streams parked a record it cannot apply"),
            new ParkedRecords("ProjectorRejects", "api", "projector rejected record",
                    "the projector parked a record in projection_rejects"));
    public static final String METRIC_NAMESPACE = "Filetrail";

    /** What is watched; {@code serviceLogs} maps bridge, streams and api to their containers' log groups. */
    public record Watched(IQueue ingestQueue, IQueue deadLetters, IQueue processingFailures,
                          List<IFunction> functions, Optional<String> kafkaClusterName,
                          ApplicationLoadBalancer loadBalancer, Map<String, ILogGroup> serviceLogs) {
    }

    private final Topic topic;
    private final SnsAction action;
    private final List<IAlarm> members = new ArrayList<>();
    private final CompositeAlarm releaseHealth;

    /**
     * The composite alarm that is in ALARM while any alarm of the stack is: the release pipeline watches it after a
     * deploy (staging: no promotion; production: roll back), so it needs one name per stack that it can know.
     */
    public static String releaseHealthName(String stackName) {
        return stackName.toLowerCase() + "-release-health";
    }

    public OperationalAlarms(Construct scope, String id, StackConfig config, Watched watched) {
        super(scope, id);
        StackConfig.Alarms alarms = config.alarms();
        String prefix = config.stackName().toLowerCase();
        topic = Topic.Builder.create(this, "Topic").topicName(prefix + "-alarms").enforceSsl(true).build();
        alarms.email().ifPresent(email -> topic.addSubscription(new EmailSubscription(email)));
        action = new SnsAction(topic);

        // Any message in a DLQ is an event the system of record does not have yet: alarm on the first one.
        alarm("IngestDlqNotEmpty", prefix + "-ingest-dlq-not-empty",
                "Messages in the ingest DLQ: events that did not reach Kafka (inspect, fix, redrive)",
                watched.deadLetters().metricApproximateNumberOfMessagesVisible(maxPer(Duration.minutes(1))),
                0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, 1);
        alarm("ProcessingFailuresNotEmpty", prefix + "-processing-failures-not-empty",
                "Failed thumbnailer/metadata invocations (Lambda on-failure destination and SNS delivery DLQ)",
                watched.processingFailures().metricApproximateNumberOfMessagesVisible(maxPer(Duration.minutes(1))),
                0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, 1);
        alarm("IngestOldestMessageAge", prefix + "-ingest-oldest-message-age",
                "The bridge is behind: the oldest ingest message is older than " + alarms.maxMessageAgeSeconds() + " s",
                watched.ingestQueue().metricApproximateAgeOfOldestMessage(maxPer(Duration.minutes(1))),
                alarms.maxMessageAgeSeconds(), ComparisonOperator.GREATER_THAN_THRESHOLD, 5, 5);

        watched.kafkaClusterName().ifPresent(cluster -> WATCHED_LAG.forEach((group, topicName) ->
                alarm("ConsumerLag" + (group.equals(KafkaAccess.API_CONSUMER_GROUP) ? "Api" : "Streams"),
                        prefix + "-consumer-lag-" + group,
                        "Kafka consumer group " + group + " is more than " + alarms.maxConsumerLagSeconds()
                                + " s behind on " + topicName,
                        Metric.Builder.create()
                                .namespace("AWS/Kafka")
                                .metricName("EstimatedMaxTimeLag")
                                .dimensionsMap(Map.of("Cluster Name", cluster, "Consumer Group", group, "Topic", topicName))
                                .statistic("Maximum")
                                .period(Duration.minutes(1))
                                .build(),
                        alarms.maxConsumerLagSeconds(), ComparisonOperator.GREATER_THAN_THRESHOLD, 5, 5)));

        for (ParkedRecords parked : PARKED) {
            // Quoted: CloudWatch matches the exact phrase (a bare hyphenated term would not parse as one).
            MetricFilter filter = MetricFilter.Builder.create(this, parked.id() + "Filter")
                    .logGroup(watched.serviceLogs().get(parked.service()))
                    .filterPattern(FilterPattern.literal("\"" + parked.phrase() + "\""))
                    .metricNamespace(METRIC_NAMESPACE)
                    .metricName(parked.id())
                    .metricValue("1")
                    .build();
            alarm(parked.id(), prefix + "-" + parked.service() + "-parked-records",
                    "Parked records: " + parked.what() + "; its log line says which and why",
                    filter.metric(sumPer(Duration.minutes(1))),
                    0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, 1);
        }

        for (IFunction function : watched.functions()) {
            String name = function.getNode().getId();
            alarm(name + "Errors", prefix + "-" + name.toLowerCase() + "-errors",
                    name + " Lambda errors (failed events go to the processing-failures queue after retries)",
                    function.metricErrors(sumPer(Duration.minutes(5))),
                    alarms.lambdaErrorThreshold(), ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1, 1);
            alarm(name + "Throttles", prefix + "-" + name.toLowerCase() + "-throttles",
                    name + " Lambda throttled: reserved concurrency is too low for the upload rate",
                    function.metricThrottles(sumPer(Duration.minutes(5))),
                    1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1, 1);
        }

        ApplicationLoadBalancer lb = watched.loadBalancer();
        MathExpression fiveHundreds = MathExpression.Builder.create()
                .label("API 5xx rate (%)")
                .expression("IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)")
                // Sorted by id: Map.of iterates in a different order in every JVM, and the template must not change
                // from one synth to the next.
                .usingMetrics(new java.util.TreeMap<String, IMetric>(Map.<String, IMetric>of(
                        "requests", lb.getMetrics().requestCount(sumPer(Duration.minutes(5))),
                        "target5xx", lb.getMetrics().httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, sumPer(Duration.minutes(5))),
                        "elb5xx", lb.getMetrics().httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, sumPer(Duration.minutes(5))))))
                .period(Duration.minutes(5))
                .build();
        alarm("Api5xxRate", prefix + "-api-5xx-rate",
                "More than " + alarms.api5xxPercent() + "% of API requests answered 5xx",
                fiveHundreds, alarms.api5xxPercent(), ComparisonOperator.GREATER_THAN_THRESHOLD, 3, 2);

        // No actions of its own: each member already notifies the topic.
        releaseHealth = CompositeAlarm.Builder.create(this, "ReleaseHealth")
                .compositeAlarmName(releaseHealthName(config.stackName()))
                .alarmDescription("Any Filetrail alarm of this stack is in ALARM: the release pipeline does not promote "
                        + "(staging) or rolls back (production) while it is")
                .alarmRule(AlarmRule.anyOf(members.stream().map(a -> AlarmRule.fromAlarm(a,
                        AlarmState.ALARM)).toArray(IAlarmRule[]::new)))
                .actionsEnabled(false)
                .build();
    }

    public Topic topic() {
        return topic;
    }

    /** Any alarm of the stack in ALARM (see {@link #releaseHealthName}). */
    public CompositeAlarm releaseHealth() {
        return releaseHealth;
    }

    private void alarm(String id, String name, String description, IMetric metric, double threshold,
                       ComparisonOperator comparison, int evaluationPeriods, int datapointsToAlarm) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(comparison)
                .evaluationPeriods(evaluationPeriods)
                .datapointsToAlarm(datapointsToAlarm)
                // No data means an idle queue or function, which is healthy.
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        members.add(alarm);
    }

    private static MetricOptions maxPer(Duration period) {
        return MetricOptions.builder().statistic("Maximum").period(period).build();
    }

    private static MetricOptions sumPer(Duration period) {
        return MetricOptions.builder().statistic("Sum").period(period).build();
    }
}
