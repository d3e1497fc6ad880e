package dev.filetrail.events.kafka;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The SASL mechanisms Filetrail's Kafka clients speak, by the name Kafka and {@code KAFKA_SASL_MECHANISM} use. */
public enum SaslMechanism {
    /** Amazon MSK's IAM authentication: the AWS default credential chain (an ECS task role) signs the login. */
    AWS_MSK_IAM("AWS_MSK_IAM"),
    /** Username and password, never sent over the wire; what the local broker enforces. */
    SCRAM_SHA_512("SCRAM-SHA-512"),
    /** Username and password in clear text: only over TLS, or on loopback. */
    PLAIN("PLAIN");

    private final String kafkaName;

    SaslMechanism(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The value of Kafka's {@code sasl.mechanism}. */
    public String kafkaName() {
        return kafkaName;
    }

    /** Whether the login carries a username and password (rather than ambient AWS credentials). */
    public boolean usesPassword() {
        return this != AWS_MSK_IAM;
    }

    /** Parses Kafka's name of the mechanism (case-insensitive), naming {@code variable} when it is unknown. */
    public static SaslMechanism parse(String value, String variable) {
        for (SaslMechanism mechanism : values()) {
            if (mechanism.kafkaName.equalsIgnoreCase(value.trim())) {
                return mechanism;
            }
        }
        throw new IllegalArgumentException(variable + " must be one of " + names() + ", was '" + value + "'");
    }

    static String names() {
        return Arrays.stream(values()).map(SaslMechanism::kafkaName).collect(Collectors.joining(", "));
    }
}
