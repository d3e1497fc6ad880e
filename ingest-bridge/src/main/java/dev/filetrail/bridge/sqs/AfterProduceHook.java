package dev.filetrail.bridge.sqs;

import java.util.List;

/**
 * Called after Kafka acknowledged a batch and before its messages are deleted. Production code passes
 * {@link #NONE}; the crash test throws here to stand for a process killed between produce and delete.
 */
@FunctionalInterface
public interface AfterProduceHook {
    AfterProduceHook NONE = messageIds -> { };

    void afterProduce(List<String> sqsMessageIds);
}
