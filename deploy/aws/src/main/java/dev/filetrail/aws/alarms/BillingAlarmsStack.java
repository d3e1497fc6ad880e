package dev.filetrail.aws.alarms;

import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ce.CfnAnomalyMonitor;
import software.amazon.awscdk.services.ce.CfnAnomalySubscription;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * Cost alarms, in their own stack in us-east-1: AWS publishes the billing metric (EstimatedCharges) only there,
 * an alarm can notify only a topic in its own region, and Cost Anomaly Detection is served from there.
 */
public final class BillingAlarmsStack extends Stack {
    /** The only region with AWS/Billing metrics. */
    public static final String BILLING_REGION = "us-east-1";
    /** Every resource of the app carries this tag; the tag monitor attributes cost by it. */
    public static final String COST_TAG_KEY = "Project";
    public static final String COST_TAG_VALUE = "filetrail";

    private final Topic topic;

    public BillingAlarmsStack(Construct scope, String id, StackConfig config) {
        super(scope, id, StackProps.builder()
                .env(Environment.builder().region(BILLING_REGION).account(config.account().orElse(null)).build())
                .description("Filetrail cost alarms (us-east-1: billing metrics and Cost Anomaly Detection live here)")
                .build());
        StackConfig.Alarms alarms = config.alarms();
        String prefix = config.stackName().toLowerCase();

        topic = Topic.Builder.create(this, "Topic").topicName(prefix + "-billing-alarms").enforceSsl(true).build();
        alarms.email().ifPresent(email -> topic.addSubscription(new EmailSubscription(email)));

        // Account-wide: the billing metric has no per-tag dimension. Needs "Receive Billing Alerts" turned on once.
        Alarm billing = Alarm.Builder.create(this, "EstimatedCharges")
                .alarmName(prefix + "-estimated-charges")
                .alarmDescription("This month's estimated AWS charges passed " + alarms.billingAlarmUsd() + " USD")
                .metric(Metric.Builder.create()
                        .namespace("AWS/Billing")
                        .metricName("EstimatedCharges")
                        .dimensionsMap(Map.of("Currency", "USD"))
                        .statistic("Maximum")
                        .period(Duration.hours(6))
                        .build())
                .threshold(alarms.billingAlarmUsd())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        billing.addAlarmAction(new SnsAction(topic));

        if (alarms.costMonitor() != StackConfig.CostMonitor.NONE) {
            CfnAnomalyMonitor.Builder monitor = CfnAnomalyMonitor.Builder.create(this, "CostMonitor")
                    .monitorName(prefix + "-cost");
            if (alarms.costMonitor() == StackConfig.CostMonitor.TAG) {
                monitor.monitorType("CUSTOM").monitorSpecification("{\"Tags\":{\"Key\":\"" + COST_TAG_KEY
                        + "\",\"Values\":[\"" + COST_TAG_VALUE + "\"],\"MatchOptions\":[\"EQUALS\"]}}");
            } else {
                monitor.monitorType("DIMENSIONAL").monitorDimension("SERVICE");
            }
            CfnAnomalyMonitor created = monitor.build();
            // Cost Anomaly Detection publishes as costalerts.amazonaws.com, for this account only.
            topic.addToResourcePolicy(PolicyStatement.Builder.create()
                    .sid("CostAnomalyDetectionPublishes")
                    .principals(List.of(new ServicePrincipal("costalerts.amazonaws.com")))
                    .actions(List.of("sns:Publish"))
                    .resources(List.of(topic.getTopicArn()))
                    .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                    .build());
            CfnAnomalySubscription.Builder.create(this, "CostAnomalies")
                    .subscriptionName(prefix + "-cost-anomalies")
                    // SNS subscribers require IMMEDIATE; e-mail reaches people through the topic's subscription.
                    .frequency("IMMEDIATE")
                    .monitorArnList(List.of(created.getAttrMonitorArn()))
                    .subscribers(List.of(CfnAnomalySubscription.SubscriberProperty.builder()
                            .type("SNS").address(topic.getTopicArn()).build()))
                    .thresholdExpression("{\"Dimensions\":{\"Key\":\"ANOMALY_TOTAL_IMPACT_ABSOLUTE\","
                            + "\"MatchOptions\":[\"GREATER_THAN_OR_EQUAL\"],\"Values\":[\""
                            + trim(alarms.anomalyThresholdUsd()) + "\"]}}")
                    .build()
                    .getNode().addDependency(topic);
        }
        CfnOutput.Builder.create(this, "BillingAlarmTopicArn").value(topic.getTopicArn())
                .description("SNS topic (us-east-1) for the billing alarm and cost anomalies").build();
    }

    public Topic topic() {
        return topic;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
