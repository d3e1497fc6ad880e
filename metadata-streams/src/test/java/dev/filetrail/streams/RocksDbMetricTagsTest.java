package dev.filetrail.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class RocksDbMetricTagsTest {

    @Test
    void windowAndKeyValueStoreMetricsOfOneNameAreBothExported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MetadataStreams.unifyRocksDbTags(registry);

        Gauge.builder("kafka.stream.state.estimate.table.readers.mem", () -> 1.0)
                .tag("rocksdb.state.id", "versions").register(registry);
        Gauge.builder("kafka.stream.state.estimate.table.readers.mem", () -> 2.0)
                .tag("rocksdb.window.state.id", "seen-ids").register(registry);

        assertThat(registry.scrape())
                .contains("kafka_stream_state_estimate_table_readers_mem{rocksdb_state_id=\"versions\"} 1.0")
                .contains("kafka_stream_state_estimate_table_readers_mem{rocksdb_state_id=\"seen-ids\"} 2.0");
    }
}
