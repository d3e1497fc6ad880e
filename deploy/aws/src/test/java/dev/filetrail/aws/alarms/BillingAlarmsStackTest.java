package dev.filetrail.aws.alarms;

import dev.filetrail.aws.ContextValues;
import dev.filetrail.aws.StackConfig;
import dev.filetrail.aws.Synth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

class BillingAlarmsStackTest {
    private static final Template DEFAULTS = Synth.defaults().billing();
    private static final Template TUNED = Synth.tuned().billing();

    @Test
    void estimatedChargesAlarmWatchesTheUsEast1BillingMetric() {
        DEFAULTS.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/Billing",
                "MetricName", "EstimatedCharges",
                "Dimensions", List.of(Map.of("Name", "Currency", "Value", "USD")),
                "Threshold", 1000,
                "ComparisonOperator", "GreaterThanThreshold",
                "AlarmActions", List.of(Map.of("Ref", Match.stringLikeRegexp("Topic.*")))));
        TUNED.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of("MetricName", "EstimatedCharges", "Threshold", 2500));
    }

    @Test
    void costAnomaliesOfFiletrailsTaggedResourcesReachTheBillingTopic() {
        DEFAULTS.hasResourceProperties("AWS::CE::AnomalyMonitor", Map.of(
                "MonitorType", "CUSTOM",
                "MonitorSpecification", Match.serializedJson(Map.of("Tags", Map.of(
                        "Key", "Project", "Values", List.of("filetrail"), "MatchOptions", List.of("EQUALS"))))));
        DEFAULTS.hasResourceProperties("AWS::CE::AnomalySubscription", Map.of(
                "Frequency", "IMMEDIATE",
                "MonitorArnList", List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("CostMonitor.*"), "MonitorArn"))),
                "Subscribers", List.of(Map.of("Type", "SNS", "Address", Map.of("Ref", Match.stringLikeRegexp("Topic.*")))),
                "ThresholdExpression", Match.serializedJson(Map.of("Dimensions", Map.of(
                        "Key", "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        "MatchOptions", List.of("GREATER_THAN_OR_EQUAL"),
                        "Values", List.of("100"))))));
        DEFAULTS.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "costalerts.amazonaws.com"),
                        "Action", "sns:Publish")))))));
    }

    @Test
    void accountWideServiceMonitorByOption() {
        TUNED.hasResourceProperties("AWS::CE::AnomalyMonitor", Map.of(
                "MonitorType", "DIMENSIONAL", "MonitorDimension", "SERVICE"));
        TUNED.hasResourceProperties("AWS::CE::AnomalySubscription", Map.of(
                "ThresholdExpression", Match.serializedJson(Map.of("Dimensions", Match.objectLike(Map.of(
                        "Values", List.of("250")))))));
        TUNED.hasResourceProperties("AWS::SNS::Subscription", Map.of("Protocol", "email", "Endpoint", "ops@example.com"));
    }

    @Test
    void noMonitorWhenTheAccountAlreadyHasOne() {
        StackConfig config = StackConfig.from(new ContextValues(Map.<String, Object>of("costMonitor", "none")::get));
        Template none = Template.fromStack(new BillingAlarmsStack(new App(), "Billing", config));
        none.resourceCountIs("AWS::CE::AnomalyMonitor", 0);
        none.resourceCountIs("AWS::CE::AnomalySubscription", 0);
        none.resourceCountIs("AWS::CloudWatch::Alarm", 1);
    }
}
