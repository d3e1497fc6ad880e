package dev.filetrail.streams.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.streams.ProcessingMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The three handlers on a topology whose processor and sink fail on purpose: a failure of the record is parked
 * and processing goes on; a failure of Kafka's machinery fails the task instead of losing a good record.
 */
class DeadLetterHandlersTest {
    private static final String IN = "in";
    private static final String OUT = "out";
    private static final String DLQ = "dlq";

    /** Throws what the value names; forwards anything else to the sink. */
    private static final class Failing implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, String> record) {
            switch (record.value()) {
                case "bug" -> throw new IllegalStateException("a bug met by this record");
                case "broker" -> throw new KafkaException("the broker went away");
                default -> context.forward(record);
            }
        }
    }

    private final DeadLetterRecorder recorder =
            new DeadLetterRecorder(DLQ, new SimpleMeterRegistry(), new ProcessingMetrics(new SimpleMeterRegistry()));

    private TopologyTestDriver driver() throws Exception {
        Serializer<String> refusing = (topic, value) -> {
            if (value.equals("unwritable")) {
                throw new SerializationException("cannot write " + value);
            }
            return value.getBytes(StandardCharsets.UTF_8);
        };
        Topology topology = new Topology();
        topology.addSource("source", new StringDeserializer(), new StringDeserializer(), IN);
        topology.addProcessor("failing", Failing::new, "source");
        topology.addSink("sink", OUT, new StringSerializer(), refusing, "failing");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "handlers-ttd");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("handlers-ttd-").toString());
        props.putAll(Map.of(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DecodeFailureHandler.class,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, ApplyFailureHandler.class,
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OutputFailureHandler.class,
                DeadLetterRecorder.CONFIG, recorder));
        return new TopologyTestDriver(topology, props);
    }

    private static String header(TestRecord<byte[], byte[]> letter, String name) {
        Header h = letter.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aBugMetByOneRecordParksItAndAnUnwritableOutputParksItsInput() throws Exception {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in = driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic(OUT, new StringDeserializer(),
                    new StringDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(DLQ, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            in.pipeInput("k1", "bug");
            in.pipeInput("k2", "unwritable");
            in.pipeInput("k3", "fine");

            assertThat(out.readValuesToList()).containsExactly("fine");
            List<TestRecord<byte[], byte[]>> letters = dlq.readRecordsToList();
            assertThat(letters).extracting(l -> new String(l.key(), StandardCharsets.UTF_8)).containsExactly("k1", "k2");
            assertThat(letters).extracting(l -> new String(l.value(), StandardCharsets.UTF_8))
                    .containsExactly("bug", "unwritable");
            assertThat(header(letters.get(0), DeadLetterRecorder.HEADER_KIND)).isEqualTo("apply");
            assertThat(header(letters.get(0), DeadLetterRecorder.HEADER_MESSAGE))
                    .isEqualTo("unexpected IllegalStateException: a bug met by this record");
            assertThat(header(letters.get(0), DeadLetterRecorder.HEADER_STACKTRACE)).contains("Failing.process");
            assertThat(header(letters.get(1), DeadLetterRecorder.HEADER_KIND)).isEqualTo("produce");
            assertThat(header(letters.get(1), DeadLetterRecorder.HEADER_MESSAGE)).isEqualTo("cannot write unwritable");
            assertThat(header(letters.get(1), DeadLetterRecorder.HEADER_OFFSET)).isEqualTo("1");
            assertThat(recorder.count(DeadLetterKind.APPLY)).isEqualTo(1);
            assertThat(recorder.count(DeadLetterKind.PRODUCE)).isEqualTo(1);
        }
    }

    @Test
    void aFailureOfKafkaItselfFailsTheTaskAndParksNothing() throws Exception {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, String> in = driver.createInputTopic(IN, new StringSerializer(), new StringSerializer());
            assertThatThrownBy(() -> in.pipeInput("k", "broker")).isInstanceOf(StreamsException.class)
                    .hasRootCauseMessage("the broker went away");
            assertThat(driver.createOutputTopic(DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .isEmpty()).isTrue();
            assertThat(recorder.count(DeadLetterKind.APPLY)).isZero();
        }
    }

    @Test
    void keysInLogLinesCannotForgeLines() {
        assertThat(DeadLetterRecorder.printable("a\nb\u0000c".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("a\\u000ab\\u0000c");
        assertThat(DeadLetterRecorder.printable("x".repeat(1000).getBytes(StandardCharsets.UTF_8))).hasSize(301)
                .endsWith("…");
        assertThat(DeadLetterRecorder.printable(null)).isEqualTo("null");
    }
}
