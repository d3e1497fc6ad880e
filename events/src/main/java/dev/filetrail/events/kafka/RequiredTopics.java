package dev.filetrail.events.kafka;

import dev.filetrail.events.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What a service checks at start instead of creating topics (the operator's job): every topic it uses exists, it
 * may see it, and the co-partitioned ones it uses ({@link Topics#CO_PARTITIONED}) have equal partition counts.
 * Anything else fails the start with a message naming each topic and what is wrong with it.
 */
public final class RequiredTopics {
    private static final long TIMEOUT_SECONDS = 30;

    private RequiredTopics() {
    }

    /** Thrown when topics a service needs are missing, invisible to it, or not co-partitioned. */
    public static final class NotReadyException extends IllegalStateException {
        private final List<String> problems;

        NotReadyException(List<String> problems) {
            super("Kafka topics are not ready: " + String.join("; ", problems)
                    + ". Topics are created by the operator: `filetrail topics create` with the ops role's credentials.");
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Describes {@code topics} and returns each one's partition count.
     *
     * @throws NotReadyException naming every missing, unauthorized or mis-partitioned topic
     */
    public static Map<String, Integer> verify(Admin admin, Collection<String> topics) {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics).topicNameValues();
        Map<String, Integer> partitions = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String topic : topics) {
            try {
                partitions.put(topic, futures.get(topic).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).partitions().size());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    problems.add("topic " + topic + " is missing");
                } else if (e.getCause() instanceof TopicAuthorizationException) {
                    problems.add("topic " + topic + " may not be described by this client's identity (its role "
                            + "lacks a grant, or the topic is missing)");
                } else {
                    throw new IllegalStateException("could not describe topic " + topic + ": " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted describing topic " + topic, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not answer describing topic " + topic + " within "
                        + TIMEOUT_SECONDS + " s", e);
            }
        }
        Map<String, Integer> coPartitioned = new LinkedHashMap<>();
        Topics.CO_PARTITIONED.stream().filter(partitions::containsKey)
                .forEach(topic -> coPartitioned.put(topic, partitions.get(topic)));
        if (coPartitioned.values().stream().distinct().count() > 1) {
            List<String> counts = coPartitioned.entrySet().stream()
                    .map(e -> e.getKey() + " has " + e.getValue()).toList();
            problems.add("co-partitioned topics differ in partition count (" + String.join(", ", counts)
                    + "): they are joined by bucket/key and must have equal counts");
        }
        if (!problems.isEmpty()) {
            throw new NotReadyException(problems);
        }
        return partitions;
    }
}
