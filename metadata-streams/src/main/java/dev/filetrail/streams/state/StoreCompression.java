package dev.filetrail.streams.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * Compresses every store's RocksDB blocks: Kafka Streams opens its stores with no compression, and the state is
 * hex, repeated key prefixes and repeated strings (requester, storage class) that a codec shrinks at a cost the stream
 * thread does not see (flushes and compactions run on RocksDB's own threads). ZSTD on every level: measured beside
 * LZ4 on the upper levels (the earlier choice), it stores a version in 34 B instead of 58 (115 instead of 142 with
 * S3's random ids) and the runs showed no CPU cost per event beyond their noise (BENCHMARKS.md, "Changelog, output
 * and store codecs"); {@link #UPPER_LEVELS} set to "lz4" brings the earlier choice back for comparison. The block
 * size stays Kafka Streams' 4 KiB: the processor's reads are point lookups and one short reverse seek per object, so
 * a larger block would be decompressed whole for every miss in the block cache; the whole-key Bloom filter Kafka
 * Streams sets stays too, since every new version first looks up a versionId that is not there.
 */
public final class StoreCompression implements RocksDBConfigSetter {

    /** A streams setting naming the codec above the bottommost level: "zstd" (the default) or "lz4". */
    public static final String UPPER_LEVELS = "filetrail.rocksdb.upper.levels.compression";

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompressionType("lz4".equals(configs.get(UPPER_LEVELS))
                ? CompressionType.LZ4_COMPRESSION : CompressionType.ZSTD_COMPRESSION);
        options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing allocated here: the compression types are plain settings on options Kafka Streams owns.
    }
}
