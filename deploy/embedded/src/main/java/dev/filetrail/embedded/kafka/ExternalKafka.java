package dev.filetrail.embedded.kafka;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A cluster someone else runs; closing it leaves it running. Its connection comes from the usual
 * {@code KAFKA_*} variables; {@code KAFKA_SASL_USERNAME_<ROLE>} / {@code KAFKA_SASL_PASSWORD_<ROLE>} (ROLE one of
 * BRIDGE, STREAMS, API, OPS, AUDIT_READER, JOURNAL) give a role its own login. With all six it counts as secured (the
 * tests then check that it refuses what the roles may not do); otherwise every role uses the one login.
 */
public record ExternalKafka(KafkaClientSettings base, Map<KafkaRole, KafkaClientSettings> roles) implements KafkaCluster {

    public static ExternalKafka fromEnvironment(Function<String, String> env) {
        KafkaClientSettings base = KafkaClientSettings.fromEnvironment(env);
        Map<KafkaRole, KafkaClientSettings> roles = new EnumMap<>(KafkaRole.class);
        for (KafkaRole role : KafkaRole.values()) {
            String suffix = "_" + role.name().toUpperCase(Locale.ROOT);
            String username = env.apply(KafkaClientSettings.SASL_USERNAME + suffix);
            if (username != null && !username.isBlank()) {
                roles.put(role, base.withCredentials(username.trim(), env.apply(KafkaClientSettings.SASL_PASSWORD + suffix)));
            }
        }
        return new ExternalKafka(base, Map.copyOf(roles));
    }

    @Override
    public String bootstrapServers() {
        return base.bootstrapServers();
    }

    @Override
    public boolean secured() {
        return roles.size() == KafkaRole.values().length;
    }

    @Override
    public KafkaClientSettings settings(KafkaRole role) {
        return roles.getOrDefault(role, base);
    }

    @Override
    public void close() {
    }
}
