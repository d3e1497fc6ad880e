package dev.filetrail.aws.security;

import dev.filetrail.aws.StackConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/** The stack's customer-managed KMS key, created only when {@code encryption=kms}. */
public final class DataKey extends Construct {
    private final Key key;

    public DataKey(Construct scope, String id, StackConfig config) {
        super(scope, id);
        if (config.encryption() != StackConfig.Encryption.KMS) {
            key = null;
            return;
        }
        // An explicit policy instead of CDK's default "kms:*" for the account: administration and use are
        // delegated to IAM by name, so no statement anywhere grants every KMS action.
        PolicyStatement admin = PolicyStatement.Builder.create()
                .sid("AccountAdministersAndDelegatesUseToIam")
                .principals(List.of(new AccountRootPrincipal()))
                .actions(List.of(
                        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                        "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                        "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
                        "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"))
                .resources(List.of("*"))
                .build();
        key = Key.Builder.create(this, "Key")
                .description("Filetrail data at rest: buckets, topics, queues, Kafka, database")
                .alias("alias/" + config.stackName().toLowerCase() + "-data")
                .enableKeyRotation(true)
                .pendingWindow(Duration.days(30))
                .policy(PolicyDocument.Builder.create().statements(List.of(admin)).build())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        // S3 publishes bucket notifications to the encrypted topic, and SNS delivers to the encrypted queue:
        // both need the data key, and only on behalf of this account.
        allowService("s3.amazonaws.com");
        allowService("sns.amazonaws.com");
    }

    public Optional<IKey> key() {
        return Optional.ofNullable(key);
    }

    private void allowService(String service) {
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("Allow" + service.substring(0, service.indexOf('.')).toUpperCase() + "DataKeys")
                .principals(List.of(new ServicePrincipal(service)))
                .actions(List.of("kms:GenerateDataKey", "kms:Decrypt"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("aws:SourceAccount", Aws.ACCOUNT_ID)))
                .build());
    }
}
