package dev.filetrail.events.kafka;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * How a Filetrail Kafka client reaches and logs in to the cluster: the one owner of connection settings, and the
 * only place producers, consumers, admin clients and Kafka Streams are built (an architecture test in every module
 * keeps it so). Read from {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_USERNAME} and {@code KAFKA_SASL_PASSWORD}.
 *
 * @param mechanism null unless {@code protocol} is SASL_PLAINTEXT or SASL_SSL
 * @param username  for SCRAM-SHA-512 and PLAIN only
 * @param password  for SCRAM-SHA-512 and PLAIN only
 */
public record KafkaClientSettings(String bootstrapServers, SecurityProtocol protocol, SaslMechanism mechanism,
                                  String username, String password) {
    public static final String BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String SECURITY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL";
    public static final String SASL_MECHANISM = "KAFKA_SASL_MECHANISM";
    public static final String SASL_USERNAME = "KAFKA_SASL_USERNAME";
    public static final String SASL_PASSWORD = "KAFKA_SASL_PASSWORD";
    /** The local stack's broker. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    static final String IAM_LOGIN_MODULE = "software.amazon.msk.auth.iam.IAMLoginModule";
    static final String IAM_CALLBACK_HANDLER = "software.amazon.msk.auth.iam.IAMClientCallbackHandler";

    public KafkaClientSettings {
        require(bootstrapServers != null && !bootstrapServers.isBlank(), BOOTSTRAP_SERVERS + " must be set");
        require(protocol != null, SECURITY_PROTOCOL + " must be set");
        boolean sasl = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
        require(!sasl || mechanism != null, SASL_MECHANISM + " must be set when " + SECURITY_PROTOCOL + " is "
                + protocol.name + " (one of " + SaslMechanism.names() + ")");
        require(sasl || mechanism == null, SASL_MECHANISM + "=" + (mechanism == null ? "" : mechanism.kafkaName())
                + " needs " + SECURITY_PROTOCOL + " SASL_SSL or SASL_PLAINTEXT, was " + protocol.name);
        require(sasl || (username == null && password == null), SASL_USERNAME + " and " + SASL_PASSWORD
                + " are used only with " + SECURITY_PROTOCOL + " SASL_SSL or SASL_PLAINTEXT, was " + protocol.name);
        if (mechanism == SaslMechanism.AWS_MSK_IAM) {
            require(protocol == SecurityProtocol.SASL_SSL, SASL_MECHANISM + "=AWS_MSK_IAM needs " + SECURITY_PROTOCOL
                    + "=SASL_SSL (MSK accepts IAM logins only over TLS), was " + protocol.name);
            require(username == null && password == null, SASL_USERNAME + " and " + SASL_PASSWORD
                    + " must be unset with AWS_MSK_IAM: the login signs with the AWS default credential chain");
        } else if (mechanism != null) {
            require(username != null && !username.isBlank(),
                    SASL_USERNAME + " must be set for " + SASL_MECHANISM + "=" + mechanism.kafkaName());
            require(password != null && !password.isEmpty(),
                    SASL_PASSWORD + " must be set for " + SASL_MECHANISM + "=" + mechanism.kafkaName());
        }
    }

    /** An unauthenticated client: what an open broker (and only an open broker) accepts. */
    public static KafkaClientSettings plaintext(String bootstrapServers) {
        return new KafkaClientSettings(bootstrapServers, SecurityProtocol.PLAINTEXT, null, null, null);
    }

    /** SCRAM-SHA-512 over SASL_PLAINTEXT: how the local broker's users log in on loopback. */
    public static KafkaClientSettings scram(String bootstrapServers, String username, String password) {
        return new KafkaClientSettings(bootstrapServers, SecurityProtocol.SASL_PLAINTEXT, SaslMechanism.SCRAM_SHA_512,
                username, password);
    }

    /** Reads the five variables from the process environment; defaults point at the local stack's open broker. */
    public static KafkaClientSettings fromEnvironment() {
        return fromEnvironment(System::getenv);
    }

    public static KafkaClientSettings fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env::get);
    }

    /** Reads the five variables from any lookup; an empty value counts as unset (ECS passes empty strings). */
    public static KafkaClientSettings fromEnvironment(Function<String, String> env) {
        String bootstrap = text(env, BOOTSTRAP_SERVERS);
        String protocol = text(env, SECURITY_PROTOCOL);
        String mechanism = text(env, SASL_MECHANISM);
        // Passwords keep their spaces; only an empty one counts as unset.
        String password = env.apply(SASL_PASSWORD);
        return new KafkaClientSettings(
                bootstrap == null ? DEFAULT_BOOTSTRAP_SERVERS : bootstrap,
                protocol == null ? SecurityProtocol.PLAINTEXT : protocol(protocol),
                mechanism == null ? null : SaslMechanism.parse(mechanism, SASL_MECHANISM),
                text(env, SASL_USERNAME),
                password == null || password.isEmpty() ? null : password);
    }

    /** The same cluster and login method as another identity (another role's SCRAM user, say). */
    public KafkaClientSettings withCredentials(String newUsername, String newPassword) {
        return new KafkaClientSettings(bootstrapServers, protocol, mechanism, newUsername, newPassword);
    }

    /** Who this client logs in as, for logs: the SASL username, the AWS identity, or nobody. */
    public String identity() {
        if (mechanism == null) {
            return "anonymous";
        }
        return mechanism == SaslMechanism.AWS_MSK_IAM ? "aws-iam" : username;
    }

    /** The variables that reproduce these settings in another process (the local stack hands them to services). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(BOOTSTRAP_SERVERS, bootstrapServers);
        env.put(SECURITY_PROTOCOL, protocol.name);
        if (mechanism != null) {
            env.put(SASL_MECHANISM, mechanism.kafkaName());
        }
        if (username != null) {
            env.put(SASL_USERNAME, username);
            env.put(SASL_PASSWORD, password);
        }
        return env;
    }

    /** Where and how to connect: bootstrap servers, security protocol and the SASL login. */
    public Map<String, Object> connectionProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name);
        if (mechanism != null) {
            p.put(SaslConfigs.SASL_MECHANISM, mechanism.kafkaName());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig());
            if (mechanism == SaslMechanism.AWS_MSK_IAM) {
                p.put(SaslConfigs.SASL_CLIENT_CALLBACK_HANDLER_CLASS, IAM_CALLBACK_HANDLER);
            }
        }
        return p;
    }

    /** The connection properties plus a client's own {@code settings}, which may not touch the connection. */
    public Map<String, Object> properties(Map<String, ?> settings) {
        for (String key : settings.keySet()) {
            if (key.endsWith(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    || key.endsWith(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) || key.contains("sasl.")) {
                throw new IllegalArgumentException("'" + key + "' is a connection setting: it comes from "
                        + "KafkaClientSettings (" + BOOTSTRAP_SERVERS + ", " + SECURITY_PROTOCOL + ", KAFKA_SASL_*) only");
            }
        }
        Map<String, Object> p = connectionProperties();
        p.putAll(settings);
        return p;
    }

    public <K, V> KafkaProducer<K, V> newProducer(Map<String, ?> settings, Serializer<K> keys, Serializer<V> values) {
        return new KafkaProducer<>(properties(settings), keys, values);
    }

    public <K, V> KafkaConsumer<K, V> newConsumer(Map<String, ?> settings, Deserializer<K> keys,
                                                  Deserializer<V> values) {
        return new KafkaConsumer<>(properties(settings), keys, values);
    }

    public Admin newAdmin() {
        return newAdmin(Map.of());
    }

    public Admin newAdmin(Map<String, ?> settings) {
        return Admin.create(properties(settings));
    }

    /** The Kafka Streams settings: the connection (which Streams hands to its own clients) plus {@code settings}. */
    public Properties streamsProperties(Map<String, ?> settings) {
        Properties p = new Properties();
        p.putAll(properties(settings));
        return p;
    }

    public KafkaStreams newStreams(Topology topology, Map<String, ?> settings) {
        return new KafkaStreams(topology, streamsProperties(settings));
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "KafkaClientSettings[bootstrapServers=" + bootstrapServers + ", protocol=" + protocol.name
                + (mechanism == null ? "" : ", mechanism=" + mechanism.kafkaName() + ", identity=" + identity()) + "]";
    }

    private String jaasConfig() {
        if (mechanism == SaslMechanism.AWS_MSK_IAM) {
            return IAM_LOGIN_MODULE + " required;";
        }
        String module = mechanism == SaslMechanism.PLAIN
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";";
    }

    /** JAAS values are quoted strings in which a backslash escapes the next character. */
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static SecurityProtocol protocol(String value) {
        for (SecurityProtocol p : SecurityProtocol.values()) {
            if (p.name.equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException(SECURITY_PROTOCOL + " must be one of "
                + Arrays.stream(SecurityProtocol.values()).map(p -> p.name).collect(Collectors.joining(", "))
                + ", was '" + value + "'");
    }

    private static String text(Function<String, String> env, String name) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
