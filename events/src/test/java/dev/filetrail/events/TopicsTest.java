package dev.filetrail.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Origin;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void everyTopicIsDeclaredOnceUnderTheFiletrailPrefixWithAWriter() {
        assertThat(Topics.ALL).doesNotHaveDuplicates().allMatch(name -> name.startsWith(KafkaRole.TOPIC_PREFIX));
        assertThat(Topics.DECLARATIONS).allSatisfy(topic -> {
            assertThat(topic.writer()).as(topic.name()).isNotNull();
            assertThat(Topics.named(topic.name())).containsSame(topic);
        });
        assertThat(Topics.named("filetrail.unknown.v1")).isEmpty();
    }

    @Test
    void theCoPartitionedInputsAreReadByTheStreamsAndKeyedByObject() {
        assertThat(Topics.CO_PARTITIONED).containsExactly(Topics.OBJECT_EVENTS.name(),
                Topics.PROCESSING_RESULTS.name(), Topics.SHARE_COMMANDS.name(), Topics.ACCESS_EVENTS.name());
        Topics.DECLARATIONS.stream().filter(Topic::coPartitioned)
                .forEach(topic -> assertThat(topic.readers()).as(topic.name()).contains(KafkaRole.STREAMS));
    }

    @Test
    void objectEventsAreWrittenByTheFastWriterAsJacksonWouldAndReadBack() {
        ObjectEvent event = new ObjectEvent("id", "b", "k", "v", "00AB", ObjectEventType.VERSION_CREATED,
                "ObjectCreated:Put", 1L, "e", "STANDARD", Instant.parse("2026-11-26T10:00:00.120Z"), "us-east-1",
                null, null, null, null, new Origin(Origin.S3_NOTIFICATION, "m", null, null), Instant.EPOCH);
        byte[] bytes = Topics.OBJECT_EVENTS.values().encode(event);
        assertThat(bytes).isEqualTo(Json.write(event));
        assertThat(Topics.OBJECT_EVENTS.values().decode(bytes)).isEqualTo(event);
        assertThat(Topics.OBJECT_EVENTS.keys().decode(Topics.OBJECT_EVENTS.keys().encode(event.recordKey())))
                .isEqualTo("b/k");
    }
}
