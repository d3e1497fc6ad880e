package dev.filetrail.embedded.junit;

import dev.filetrail.embedded.kafka.KafkaCluster;
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
 * Filetrail topics already created (by the ops role, as an operator would).
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
            return shared(context, KafkaCluster.class, () -> {
                KafkaCluster kafka = KafkaCluster.fromEnvironment();
                kafka.createFiletrailTopics();
                return kafka;
            });
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
}
