package dev.filetrail.streams.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class StoreCompressionTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void everyLevelIsZstdUnlessTheUpperLevelsAreAskedForLz4() {
        try (Options options = new Options()) {
            new StoreCompression().setConfig("versions-v2", options, Map.of());
            assertThat(options.compressionType()).isEqualTo(CompressionType.ZSTD_COMPRESSION);
            assertThat(options.bottommostCompressionType()).isEqualTo(CompressionType.ZSTD_COMPRESSION);
        }
        try (Options options = new Options()) {
            new StoreCompression().setConfig("versions-v2", options, Map.of(StoreCompression.UPPER_LEVELS, "lz4"));
            assertThat(options.compressionType()).isEqualTo(CompressionType.LZ4_COMPRESSION);
            assertThat(options.bottommostCompressionType()).isEqualTo(CompressionType.ZSTD_COMPRESSION);
        }
    }
}
