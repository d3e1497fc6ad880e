package dev.filetrail.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    private static KafkaClientSettings read(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return KafkaClientSettings.fromEnvironment(env);
    }

    @Test
    void defaultsAreTheLocalStacksOpenBroker() {
        KafkaClientSettings settings = read();
        assertThat(settings.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(settings.protocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(settings.connectionProperties()).containsOnly(
                Map.entry("bootstrap.servers", "127.0.0.1:9092"), Map.entry("security.protocol", "PLAINTEXT"));
        assertThat(settings.identity()).isEqualTo("anonymous");
    }

    @Test
    void scramLogsInWithAJaasLineThatSurvivesQuotesAndBackslashes() {
        KafkaClientSettings settings = read("KAFKA_BOOTSTRAP_SERVERS", "b:9096", "KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "KAFKA_SASL_USERNAME", "bridge",
                "KAFKA_SASL_PASSWORD", "p\"a\\ss word");
        Map<String, Object> p = settings.connectionProperties();
        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"bridge\" password=\"p\\\"a\\\\ss word\";");
        assertThat(settings.identity()).isEqualTo("bridge");
        assertThat(settings.toString()).doesNotContain("a\\ss").contains("bridge");
        assertThat(KafkaClientSettings.fromEnvironment(settings.environment())).isEqualTo(settings);
    }

    @Test
    void mskIamUsesItsLoginModuleAndCallbackHandlerWhichKafkaAcceptsAndLoads() {
        KafkaClientSettings settings = read("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM");
        assertThat(settings.connectionProperties())
                .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
                .containsEntry("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;")
                .containsEntry("sasl.client.callback.handler.class",
                        "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
        // Building a client instantiates the login module and the callback handler: aws-msk-iam-auth is on the
        // class path and Kafka accepts the settings (nothing connects: port 1 is closed).
        settings.newProducer(Map.of("max.block.ms", 1), new StringSerializer(), new StringSerializer()).close();
        assertThat(settings.identity()).isEqualTo("aws-iam");
    }

    @Test
    void everyWrongOrIncompleteCombinationNamesTheVariable() {
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "TLS"))
                .hasMessageContaining("KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"))
                .hasMessageContaining("KAFKA_SASL_MECHANISM must be set");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "GSSAPI"))
                .hasMessageContaining("KAFKA_SASL_MECHANISM must be one of AWS_MSK_IAM, SCRAM-SHA-512, PLAIN");
        assertThatThrownBy(() -> read("KAFKA_SASL_MECHANISM", "PLAIN"))
                .hasMessageContaining("KAFKA_SASL_MECHANISM=PLAIN needs KAFKA_SECURITY_PROTOCOL SASL_SSL or SASL_PLAINTEXT");
        assertThatThrownBy(() -> read("KAFKA_SASL_USERNAME", "bridge", "KAFKA_SASL_PASSWORD", "x"))
                .hasMessageContaining("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are used only with");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_PASSWORD", "x"))
                .hasMessageContaining("KAFKA_SASL_USERNAME must be set for KAFKA_SASL_MECHANISM=SCRAM-SHA-512");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_USERNAME", "bridge"))
                .hasMessageContaining("KAFKA_SASL_PASSWORD must be set for KAFKA_SASL_MECHANISM=PLAIN");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM"))
                .hasMessageContaining("AWS_MSK_IAM needs KAFKA_SECURITY_PROTOCOL=SASL_SSL");
        assertThatThrownBy(() -> read("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "AWS_MSK_IAM",
                "KAFKA_SASL_USERNAME", "bridge", "KAFKA_SASL_PASSWORD", "x"))
                .hasMessageContaining("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be unset with AWS_MSK_IAM");
        assertThatThrownBy(() -> KafkaClientSettings.plaintext(" "))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS must be set");
    }

    @Test
    void emptyValuesCountAsUnsetAsEcsPassesThem() {
        assertThat(read("KAFKA_SECURITY_PROTOCOL", "", "KAFKA_SASL_MECHANISM", "", "KAFKA_SASL_USERNAME", "",
                "KAFKA_SASL_PASSWORD", "")).isEqualTo(KafkaClientSettings.plaintext("127.0.0.1:9092"));
    }

    @Test
    void aClientsOwnSettingsMayNotReplaceTheConnection() {
        KafkaClientSettings settings = KafkaClientSettings.scram("127.0.0.1:9092", "api", "secret");
        assertThat(settings.properties(Map.of("acks", "all"))).containsEntry("acks", "all")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        for (String key : new String[] {"bootstrap.servers", "security.protocol", "sasl.jaas.config",
                "producer.bootstrap.servers"}) {
            assertThatThrownBy(() -> settings.properties(Map.of(key, "x"))).as(key)
                    .hasMessageContaining("'" + key + "' is a connection setting");
        }
        assertThat(settings.streamsProperties(Map.of("application.id", "a")))
                .containsEntry("application.id", "a").containsEntry("security.protocol", "SASL_PLAINTEXT");
    }

    @Test
    void anotherRoleKeepsTheClusterAndLoginMethod() {
        KafkaClientSettings ops = KafkaClientSettings.scram("h:1", "ops", "o").withCredentials("api", "a");
        assertThat(ops).isEqualTo(KafkaClientSettings.scram("h:1", "api", "a"));
    }
}
