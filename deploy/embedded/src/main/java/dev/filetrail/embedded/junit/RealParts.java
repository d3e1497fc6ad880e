package dev.filetrail.embedded.junit;

import dev.filetrail.embedded.contracts.ContractCheck;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import dev.filetrail.embedded.postgres.PostgresServer;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.embedded.sqs.EmbeddedSqs;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests the real parts ({@link KafkaCluster}, {@link PostgresServer},
 * {@link EmbeddedS3}, {@link EmbeddedSqs}) as parameters. Each part starts the first time a test asks for it
 * and is shared by every test in the JVM; the root store closes it when the run ends. Kafka comes with the
 * Filetrail topics already created (by the ops role, as an operator would). When the run ends, before the broker
 * stops, every record on those topics is validated against its published schema ({@link ContractCheck}); a record
 * that breaks it fails the run, naming its topic, offset and value.
 */
public final class RealParts implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KafkaCluster.class || type == PostgresServer.class
                || type == EmbeddedS3.class || type == EmbeddedSqs.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == KafkaCluster.class) {
            return shared(context, CheckedKafka.class, () -> {
                KafkaCluster kafka = KafkaCluster.fromEnvironment();
                kafka.createFiletrailTopics();
                return new CheckedKafka(kafka);
            }).kafka();
        }
        if (type == PostgresServer.class) {
            return shared(context, PostgresServer.class, () -> PostgresServer.start(0));
        }
        if (type == EmbeddedS3.class) {
            return shared(context, EmbeddedS3.class, () -> EmbeddedS3.start(0));
        }
        return shared(context, EmbeddedSqs.class, () -> EmbeddedSqs.start(0));
    }

    private static <T extends AutoCloseable> T shared(ExtensionContext context, Class<T> type, Supplier<T> starter) {
        ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(RealParts.class));
        return store.getOrComputeIfAbsent(type, k -> starter.get(), type);
    }

    /** The shared broker, whose topics are checked against their schemas before it stops. */
    private record CheckedKafka(KafkaCluster kafka) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Map<String, String> topics = new LinkedHashMap<>();
                Topics.ALL.forEach(topic -> topics.put(topic, topic));
                // A streams run with an output suffix dead-letters to its own DLQ: its letters exempt inputs too.
                try (Admin admin = kafka.admin()) {
                    admin.listTopics().names().get().stream().filter(t -> t.startsWith(Topics.STREAMS_DLQ.name()))
                            .forEach(t -> topics.put(t, Topics.STREAMS_DLQ.name()));
                } catch (ExecutionException e) {
                    throw new IllegalStateException("cannot list topics for the contract check", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted listing topics for the contract check", e);
                }
                new ContractCheck().verify(kafka.settings(KafkaRole.OPS), topics);
            } finally {
                kafka.close();
            }
        }
    }
}
