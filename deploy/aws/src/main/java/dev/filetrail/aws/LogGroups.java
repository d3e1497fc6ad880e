package dev.filetrail.aws;

import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.logs.CfnLogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/** Log groups with the stack's retention, so no log is kept (and billed) forever by accident. */
public final class LogGroups {
    private LogGroups() {
    }

    public static LogGroup create(Construct scope, String id, StackConfig config, RemovalPolicy removal) {
        LogGroup group = LogGroup.Builder.create(scope, id).removalPolicy(removal).build();
        // RetentionDays is an enum without its number in Java; the L1 property takes the validated number directly.
        ((CfnLogGroup) group.getNode().getDefaultChild()).setRetentionInDays(config.logRetentionDays());
        return group;
    }
}
