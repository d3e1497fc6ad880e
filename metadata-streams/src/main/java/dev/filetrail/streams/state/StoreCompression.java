package dev.filetrail.streams.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * Compresses every store's RocksDB blocks: Kafka Streams opens its stores with no compression, and the state is
 * hex, repeated key prefixes and repeated strings (requester, storage class) that LZ4 shrinks at a cost the stream
 * thread does not see (flushes and compactions run on RocksDB's own threads). LZ4 on every level keeps flushes and
 * the compactions of young data cheap; ZSTD on the bottommost level, where most bytes end up and are rewritten
 * least often, trades a little more CPU per compaction for the smaller files. The block size stays Kafka Streams'
 * 4 KiB: the processor's reads are point lookups and one short reverse seek per object, so a larger block would be
 * decompressed whole for every miss in the block cache; the whole-key Bloom filter Kafka Streams sets stays too,
 * since every new version first looks up a versionId that is not there.
 */
public final class StoreCompression implements RocksDBConfigSetter {

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
        options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing allocated here: the compression types are plain settings on options Kafka Streams owns.
    }
}
