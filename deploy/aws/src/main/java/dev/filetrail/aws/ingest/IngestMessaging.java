package dev.filetrail.aws.ingest;

import dev.filetrail.aws.StackConfig;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscription;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The object-events and processing-results topics (SNS standard), and the ingest queue with its DLQ that the
 * ingest-bridge long-polls; both topics deliver to that one queue, and the bridge tells them apart by TopicArn.
 */
public final class IngestMessaging extends Construct {
    private final Topic objectEvents;
    private final Topic processingResults;
    private final Queue queue;
    private final Queue deadLetters;

    public IngestMessaging(Construct scope, String id, StackConfig config, Optional<IKey> key) {
        super(scope, id);
        String prefix = config.stackName().toLowerCase();
        StackConfig.Ingest ingest = config.ingest();

        objectEvents = topic("ObjectEvents", prefix + "-object-events", key);
        processingResults = topic("ProcessingResults", prefix + "-processing-results", key);

        deadLetters = queue(Queue.Builder.create(this, "DeadLetters")
                .queueName(prefix + "-ingest-dlq")
                .retentionPeriod(Duration.days(ingest.dlqRetentionDays())), key).build();
        queue = queue(Queue.Builder.create(this, "Queue")
                .queueName(prefix + "-ingest")
                // The bridge's own visibility timeout: a message it is still working on must not reappear.
                .visibilityTimeout(Duration.seconds(ingest.visibilityTimeoutSeconds()))
                .retentionPeriod(Duration.days(ingest.retentionDays()))
                // Long polling by default cuts empty receives (and their cost) when the bucket is quiet.
                .receiveMessageWaitTime(Duration.seconds(20))
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetters).maxReceiveCount(ingest.dlqMaxReceives()).build()), key).build();

        // Not raw: the SNS envelope keeps TopicArn (which of the two topics) and MessageId (stable across SNS
        // retries, so the bridge can drop duplicates). A delivery SNS itself cannot make lands in the same DLQ.
        for (Topic topic : new Topic[] {objectEvents, processingResults}) {
            topic.addSubscription(SqsSubscription.Builder.create(queue)
                    .rawMessageDelivery(false)
                    .deadLetterQueue(deadLetters)
                    .build());
        }
    }

    public Topic objectEvents() {
        return objectEvents;
    }

    public Topic processingResults() {
        return processingResults;
    }

    public Queue queue() {
        return queue;
    }

    public Queue deadLetters() {
        return deadLetters;
    }

    private Topic topic(String id, String name, Optional<IKey> key) {
        Topic.Builder builder = Topic.Builder.create(this, id).topicName(name).enforceSsl(true);
        key.ifPresent(builder::masterKey);
        return builder.build();
    }

    private static Queue.Builder queue(Queue.Builder builder, Optional<IKey> key) {
        builder.enforceSsl(true).removalPolicy(RemovalPolicy.RETAIN);
        key.ifPresentOrElse(
                k -> builder.encryption(QueueEncryption.KMS).encryptionMasterKey(k)
                        // Reusing a data key for 5 minutes keeps KMS calls (billed per request) bounded at high rates.
                        .dataKeyReuse(Duration.minutes(5)),
                () -> builder.encryption(QueueEncryption.SQS_MANAGED));
        return builder;
    }
}
