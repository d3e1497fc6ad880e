package dev.filetrail.events.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.WireValues;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CloudEventWriterTest {

    @Property(tries = 2000)
    void writesTheBytesJacksonWrites(@ForAll("events") CloudEvent event) {
        byte[] written = CloudEventWriter.write(event);

        assertThat(new String(written, StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(event), StandardCharsets.UTF_8));
    }

    @Test
    void dataMembersOfEveryKindAreWrittenAsTheMapperWritesThem() {
        ObjectNode data = Json.MAPPER.createObjectNode();
        data.put("text", "a \"quoted\"\n value");
        data.put("yes", true);
        data.put("int", -7);
        data.put("long", Long.MIN_VALUE);
        data.put("double", 1.5e-7);
        data.put("big", new BigInteger("123456789012345678901234567890"));
        data.put("decimal", new BigDecimal("1.10"));
        data.putNull("nothing");
        data.putObject("nested").put("a", 1).putArray("list").add("x").add(2);
        data.putArray("empty");
        CloudEvent event = new CloudEvent("1.0", "id", "src", "type", null, Instant.parse("2026-12-04T10:00:00Z"),
                "application/json", null, data);

        assertThat(new String(CloudEventWriter.write(event), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(event), StandardCharsets.UTF_8))
                .contains("\"long\":-9223372036854775808", "\"nothing\":null", "\"empty\":[]");
    }

    @Provide
    Arbitrary<CloudEvent> events() {
        Arbitrary<String> text = WireValues.text(30);
        Arbitrary<Instant> times = WireValues.instants();
        Arbitrary<JsonNode> member = Arbitraries.oneOf(
                text.map(t -> t == null ? Json.MAPPER.nullNode() : Json.MAPPER.getNodeFactory().textNode(t)),
                Arbitraries.of(true, false).map(b -> Json.MAPPER.getNodeFactory().booleanNode(b)),
                Arbitraries.integers().map(i -> Json.MAPPER.getNodeFactory().numberNode(i)),
                Arbitraries.longs().map(l -> Json.MAPPER.getNodeFactory().numberNode(l)),
                Arbitraries.doubles().map(d -> Json.MAPPER.getNodeFactory().numberNode(d)),
                text.list().ofMaxSize(3).map(list -> {
                    var array = Json.MAPPER.createArrayNode();
                    list.forEach(array::add);
                    return array;
                }));
        Arbitrary<JsonNode> data = Combinators.combine(text.list().ofMaxSize(8), member.list().ofSize(8))
                .as((names, values) -> {
                    ObjectNode node = Json.MAPPER.createObjectNode();
                    for (int i = 0; i < names.size(); i++) {
                        node.set(names.get(i) == null ? "n" + i : names.get(i), values.get(i));
                    }
                    return (JsonNode) node;
                })
                .injectNull(0.1);
        Arbitrary<JsonNode> nonObjectData = Arbitraries.of((JsonNode) Json.MAPPER.createArrayNode().add(1),
                Json.MAPPER.getNodeFactory().textNode("plain"));
        Arbitrary<String[]> s = text.array(String[].class).ofSize(7);
        return Combinators.combine(s, times, Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(9, data), net.jqwik.api.Tuple.of(1, nonObjectData)))
                .as((t, time, d) -> new CloudEvent(t[0], t[1], t[2], t[3], t[4], time, t[5], t[6], d));
    }
}
