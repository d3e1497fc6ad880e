package dev.filetrail.embedded.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The end-of-run check itself, on side topics of the shared broker (the real ones must stay valid). */
@ExtendWith(RealParts.class)
class ContractCheckTest {

    @Test
    void aRecordThatBreaksItsSchemaIsNamedUnlessTheStreamsDeadLetteredIt(KafkaCluster kafka) throws Exception {
        String suffix = ".contract-check-" + UUID.randomUUID();
        String events = Topics.OBJECT_EVENTS.name() + suffix;
        String dlq = Topics.STREAMS_DLQ.name() + suffix;
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(events, 1, (short) 1), new NewTopic(dlq, 1, (short) 1)))
                    .all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = kafka.settings(KafkaRole.OPS).newProducer(Map.of(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(events, bytes("b/k"), bytes("{\"bucket\":\"b\",\"key\":\"k\","
                    + "\"type\":\"VERSION_CREATED\",\"size\":3}"))).get();
            producer.send(new ProducerRecord<>(events, bytes("b/k"), bytes("{\"bucket\":\"b\",\"key\":\"k\","
                    + "\"size\":\"three\"}"))).get();
            producer.send(new ProducerRecord<>(events, bytes("b/k"), bytes("{not json"))).get();
            RecordHeaders letter = new RecordHeaders();
            letter.add("__streams.errors.topic", bytes(events));
            letter.add("__streams.errors.partition", bytes("0"));
            letter.add("__streams.errors.offset", bytes("2"));
            producer.send(new ProducerRecord<>(dlq, null, bytes("b/k"), bytes("{not json"), letter)).get();
        }
        Map<String, String> topics = Map.of(events, Topics.OBJECT_EVENTS.name(), dlq, Topics.STREAMS_DLQ.name());
        ContractCheck check = new ContractCheck();

        assertThat(check.scan(kafka.settings(KafkaRole.OPS), topics)).singleElement().satisfies(v -> {
            assertThat(v.topic()).isEqualTo(events);
            assertThat(v.offset()).isEqualTo(1);
            assertThat(v.value()).contains("three");
            assertThat(v.problems()).singleElement().asString().contains("size");
        });
        assertThatThrownBy(() -> check.verify(kafka.settings(KafkaRole.OPS), topics))
                .isInstanceOf(ContractCheck.ViolationsException.class)
                .hasMessageContaining("topic=" + events + " partition=0 offset=1");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
