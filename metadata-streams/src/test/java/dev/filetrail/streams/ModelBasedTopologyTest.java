package dev.filetrail.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model-based workload through TopologyTestDriver: many seeds quickly. {@code -Dmodel.seed=N} replays one.
 * The same workload runs through a real broker in {@link ModelBasedBrokerTest}.
 */
class ModelBasedTopologyTest {
    @Test
    void randomWorkloadsEndInTheReferenceModelsState() {
        String fixed = System.getProperty("model.seed");
        long base = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        int runs = fixed != null ? 1 : 5;
        for (int i = 0; i < runs; i++) {
            long seed = base + i;
            System.out.println("ModelBasedTopologyTest seed=" + seed + " (rerun with -Dmodel.seed=" + seed + ")");
            Scenario scenario = Scenario.generate("model-ttd", seed, 12, 1_500);
            try (TopologyFixture t = new TopologyFixture()) {
                for (Scenario.Delivery d : scenario.deliveries) {
                    t.sendRaw(d.topic(), d.key(), d.value());
                }
                List<Map.Entry<String, dev.filetrail.events.history.FileHead>> heads = t.heads().stream()
                        .map(kv -> (Map.Entry<String, dev.filetrail.events.history.FileHead>)
                                new AbstractMap.SimpleEntry<>(kv.key, kv.value)).toList();
                Scenario.Actual actual = scenario.fold(t.changes(), heads, t.links());
                Scenario.Actual expected = scenario.expected();
                assertThat(actual.versions()).as("versions, seed " + seed).isEqualTo(expected.versions());
                assertThat(actual.heads()).as("heads, seed " + seed).isEqualTo(expected.heads());
                assertThat(actual.links()).as("links, seed " + seed).isEqualTo(expected.links());
                assertThat(expected.links()).isNotEmpty();
            }
        }
    }
}
