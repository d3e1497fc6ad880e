package dev.filetrail.streams.replay;

import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.TopicSetup;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.OutputTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the streams state from the retained input log under a new application id, while the running
 * application keeps serving, and reports when the new one has caught up (consumer lag 0 on every input).
 */
public final class StreamsRebuild {
    private static final Logger log = LoggerFactory.getLogger(StreamsRebuild.class);
    /** The topics the topology reads: the retained log it is rebuilt from. */
    public static final List<String> INPUTS = Topics.CO_PARTITIONED;

    /**
     * @param newApplicationId  must differ from the running one (to reuse an id, run Kafka's application reset)
     * @param stateDir          null: a folder beside the base state dir named after the new id
     * @param outputTopicSuffix null/blank: the standard output topics, which is safe because every output record
     *                          carries a deterministic id; or a suffix for side-by-side output topics
     * @param stopWhenCaughtUp  close the new instance once caught up (a verification run) instead of returning it
     */
    public record Request(String newApplicationId, Path stateDir, String outputTopicSuffix, Duration timeout,
                          boolean dryRun, boolean stopWhenCaughtUp) {
        public Request {
            Objects.requireNonNull(newApplicationId, "newApplicationId");
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** Reported about once a second while the new instance catches up. */
    public record Progress(String applicationId, String state, long lag, long inputRecords, Duration elapsed) {
    }

    /**
     * Outcome of a rebuild. {@code running} is the new instance, still running, unless it was a dry run or
     * {@code stopWhenCaughtUp}; the caller owns and closes it.
     */
    public record Summary(String applicationId, boolean dryRun, boolean caughtUp, long inputRecords, long lag,
                          Duration elapsed, MetadataStreams running) {
    }

    private final MetadataStreamsConfig base;

    public StreamsRebuild(MetadataStreamsConfig base) {
        this.base = base;
    }

    public Summary rebuild(Request request, Consumer<Progress> progress) {
        if (request.newApplicationId().equals(base.applicationId())) {
            throw new IllegalArgumentException("the new application id must differ from the running one ("
                    + base.applicationId() + "); to rebuild under the same id, stop it and run Kafka's "
                    + "kafka-streams-application-reset first");
        }
        long started = System.nanoTime();
        MetadataStreamsConfig config = base.withApplicationId(request.newApplicationId())
                .withStateDir(request.stateDir() != null ? request.stateDir()
                        : base.stateDir().resolveSibling(base.stateDir().getFileName() + "-" + request.newApplicationId()))
                .withOutputTopicSuffix(request.outputTopicSuffix())
                .withMetricsPort(0);
        try (Admin admin = base.kafka().newAdmin()) {
            long inputRecords = retainedRecords(admin, INPUTS);
            if (request.dryRun()) {
                log.info("rebuild dry run applicationId={} inputRecords={}", request.newApplicationId(), inputRecords);
                return new Summary(request.newApplicationId(), true, false, inputRecords, inputRecords,
                        elapsed(started), null);
            }
            createOutputTopics(admin, config);
            MetadataStreams streams = new MetadataStreams(config).start();
            long deadline = System.nanoTime() + request.timeout().toNanos();
            long lag = Long.MAX_VALUE;
            try {
                while (System.nanoTime() < deadline) {
                    lag = lag(admin, request.newApplicationId(), INPUTS);
                    progress.accept(new Progress(request.newApplicationId(), streams.state().name(), lag,
                            inputRecords, elapsed(started)));
                    if (lag == 0) {
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                streams.close();
                throw new IllegalStateException("interrupted while rebuilding", e);
            }
            boolean caughtUp = lag == 0;
            log.info("rebuild applicationId={} caughtUp={} lag={} inputRecords={}", request.newApplicationId(),
                    caughtUp, lag, inputRecords);
            if (request.stopWhenCaughtUp() || !caughtUp) {
                streams.close();
                streams = null;
            }
            return new Summary(request.newApplicationId(), false, caughtUp, inputRecords, lag, elapsed(started),
                    streams);
        }
    }

    /** Records left for consumer group {@code groupId} on {@code topics}: end offset minus committed offset. */
    public static long lag(Admin admin, String groupId, List<String> topics) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = offsets(admin, topics, OffsetSpec.latest());
            long lag = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
            }
            return lag;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read lag of " + groupId + ": " + e.getMessage(), e);
        }
    }

    /** Records currently retained in {@code topics}. */
    public static long retainedRecords(Admin admin, List<String> topics) {
        Map<TopicPartition, Long> ends = offsets(admin, topics, OffsetSpec.latest());
        Map<TopicPartition, Long> starts = offsets(admin, topics, OffsetSpec.earliest());
        return ends.entrySet().stream().mapToLong(e -> e.getValue() - starts.getOrDefault(e.getKey(), 0L)).sum();
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<String> topics, OffsetSpec spec) {
        try {
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()
                    .forEach(d -> d.partitions().forEach(p -> query.put(new TopicPartition(d.name(), p.partition()),
                            spec)));
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(query, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("cannot list offsets of " + topics + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the side-by-side output topics of a configuration whose outputs carry a suffix, with their contract
     * topics' settings (a rebuild runs as the ops role, which may create topics; the streams service never does).
     */
    public static TopicSetup.Report createOutputTopics(Admin admin, MetadataStreamsConfig config) {
        OutputTopics outputs = config.outputTopics();
        if (outputs.isStandard()) {
            return new TopicSetup.Report(List.of(), outputs.all(), Map.of());
        }
        TopicSetup setup = new TopicSetup(config.partitions(), config.replicationFactor(), config.auditRetentionMs());
        List<String> contracts = OutputTopics.standard().all();
        List<NewTopic> topics = new ArrayList<>();
        for (int i = 0; i < contracts.size(); i++) {
            topics.add(setup.definitionAs(contracts.get(i), outputs.all().get(i)));
        }
        return setup.ensure(admin, topics, false);
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
