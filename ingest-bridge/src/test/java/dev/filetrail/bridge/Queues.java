package dev.filetrail.bridge;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Test-side looks at an SQS queue. */
public final class Queues {
    private Queues() {
    }

    /** Visible plus in-flight messages. */
    public static long depth(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Polls until the queue holds nothing, visible or in flight; returns whether it drained in time. */
    public static boolean awaitDrained(SqsClient sqs, String queueUrl, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (depth(sqs, queueUrl) == 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return depth(sqs, queueUrl) == 0;
    }
}
