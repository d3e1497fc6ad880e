package dev.filetrail.api.changes;

import dev.filetrail.events.Topics;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The topic the feed's positions are offsets of ({@code filetrail.file-versions.v1}): its Kafka topic id, which
 * changes when the topic is deleted and created again (new contents, offsets from zero), and its partition count.
 */
public record FeedTopic(String topicId, int partitions) {
    /** The live topic's identity, as the broker describes it. */
    public static FeedTopic describe(Admin admin) {
        String name = Topics.FILE_VERSIONS.name();
        try {
            TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(name);
            return new FeedTopic(d.topicId().toString(), d.partitions().size());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not describe " + name + " for the change feed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted describing " + name, e);
        }
    }
}
