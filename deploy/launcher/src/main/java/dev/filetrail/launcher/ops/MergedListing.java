package dev.filetrail.launcher.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Filetrail's side over a sharded read model: every shard's listing, each in key order, merged by key. A key lives in
 * exactly one shard (its partition's), so the merge interleaves and never combines; should two shards ever hold the
 * same key (a shard count changed without a rebuild, a shard restored from the wrong snapshot), their entries are
 * handed on together, each shard's copy of a version included, so the comparison reports the stray rows instead of
 * hiding them (a version only the stray shard has as an extra version, a version both hold as a wrong-shard row).
 * Memory holds one key's entries per shard.
 */
final class MergedListing extends KeyListing implements AutoCloseable {
    /** One shard's next key. */
    private record Head(KeyEntries entries, int shard) {
    }

    private final List<ReadModelListing> shards;
    private final PriorityQueue<Head> heads = new PriorityQueue<>(
            Comparator.comparing((Head h) -> h.entries().key(), KeyOrder.UTF8_BINARY).thenComparingInt(Head::shard));

    MergedListing(List<ReadModelListing> shards) {
        this.shards = List.copyOf(shards);
        for (int i = 0; i < this.shards.size(); i++) {
            refill(i);
        }
    }

    private void refill(int shard) {
        ReadModelListing listing = shards.get(shard);
        if (listing.hasNext()) {
            heads.add(new Head(listing.next(), shard));
        }
    }

    @Override
    protected KeyEntries advance() {
        Head first = heads.poll();
        if (first == null) {
            return null;
        }
        refill(first.shard());
        List<ObjectEntry> entries = new ArrayList<>(first.entries().entries());
        while (!heads.isEmpty() && heads.peek().entries().key().equals(first.entries().key())) {
            Head same = heads.poll();
            entries.addAll(same.entries().entries());
            refill(same.shard());
        }
        return new KeyEntries(first.entries().key(), entries);
    }

    @Override
    public void close() {
        shards.forEach(ReadModelListing::close);
    }
}
