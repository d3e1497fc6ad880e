package dev.filetrail.api.files;

import dev.filetrail.api.projection.BucketKey;
import dev.filetrail.api.projection.ProjectionNotices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serialised answers of one file's read routes (its history pages, the file itself), kept until the projection
 * says that file changed. The projector's commit notices ({@code filetrail_projection}) drop a file's answers; while
 * those notices cannot be heard the cache neither serves nor stores, so no answer outlives a change it missed.
 *
 * <p>A load registers its file's entry before it reads the database and stores into that entry afterwards. A notice
 * removes the entry, so a load that raced a commit stores into an entry nobody can reach any more: its stale answer
 * is never served. Bounded by the bytes of the answers; eviction is second-chance over the files.
 */
public final class FileAnswerCache implements ProjectionNotices.Subscriber {
    /** The bound in bytes of answers held ({@code FILE_CACHE_BYTES}); 0 turns the cache off. */
    public record Settings(long maxBytes) {
        public static final Settings DEFAULT = new Settings(64L << 20);

        public Settings {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("FILE_CACHE_BYTES must not be negative, got " + maxBytes);
            }
        }
    }

    private static final class Entry {
        final Map<String, byte[]> answers = new ConcurrentHashMap<>();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean used;
    }

    /** A started load: {@link #store} keeps its answer only if nothing changed the file since {@link #begin}. */
    public final class Load {
        private final BucketKey file;
        private final String answer;
        private final Entry entry;
        private final long epochAtBegin;
        private final byte[] cached;

        private Load(BucketKey file, String answer, Entry entry, long epochAtBegin, byte[] cached) {
            this.file = file;
            this.answer = answer;
            this.entry = entry;
            this.epochAtBegin = epochAtBegin;
            this.cached = cached;
        }

        /** The cached answer, or null when the caller must read the database. */
        public byte[] cached() {
            return cached;
        }

        /** Keeps {@code body} as the answer, unless the file changed (or everything was dropped) meanwhile. */
        public void store(byte[] body) {
            if (entry == null || cached != null || body.length > settings.maxBytes() / 16) {
                return;
            }
            if (entry.answers.putIfAbsent(answer, body) != null) {
                return;
            }
            entry.bytes.addAndGet(body.length);
            // Checked after the put: a notice that removed the entry before this line leaves it unreachable anyway,
            // and one after it removes the answer with the entry.
            if (epoch != epochAtBegin || files.get(file) != entry) {
                entry.answers.remove(answer, body);
                return;
            }
            stored.increment();
            if (totalBytes.addAndGet(body.length) > settings.maxBytes()) {
                evict();
            }
        }
    }

    private final Settings settings;
    private final Map<BucketKey, Entry> files = new ConcurrentHashMap<>();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Object evicting = new Object();
    private volatile long epoch;
    private volatile boolean serving;
    private final Counter hits;
    private final Counter misses;
    private final Counter bypassed;
    private final Counter stored;
    private final Counter invalidated;
    private final Counter evicted;
    private final Counter resets;

    public FileAnswerCache(Settings settings, MeterRegistry registry) {
        this.settings = settings;
        this.hits = lookups(registry, "hit");
        this.misses = lookups(registry, "miss");
        this.bypassed = lookups(registry, "bypassed");
        this.stored = Counter.builder("filetrail_api_file_cache_stores").register(registry);
        this.invalidated = removals(registry, "change");
        this.evicted = removals(registry, "evicted");
        this.resets = removals(registry, "reset");
        Gauge.builder("filetrail_api_file_cache_bytes", totalBytes, AtomicLong::get).register(registry);
        Gauge.builder("filetrail_api_file_cache_files", files, Map::size).register(registry);
        Gauge.builder("filetrail_api_file_cache_serving", this, c -> c.serving ? 1 : 0).register(registry);
    }

    private static Counter lookups(MeterRegistry registry, String outcome) {
        return Counter.builder("filetrail_api_file_cache_lookups").tag("outcome", outcome).register(registry);
    }

    private static Counter removals(MeterRegistry registry, String cause) {
        return Counter.builder("filetrail_api_file_cache_removals").tag("cause", cause).register(registry);
    }

    /**
     * Looks up one answer of a file ({@code answer} names the route and everything in the request that shapes the
     * body) and, on a miss, registers the load that will {@link Load#store} it.
     */
    public Load begin(String bucket, String key, String answer) {
        long epochAtBegin = epoch;
        if (!serving || settings.maxBytes() == 0) {
            bypassed.increment();
            return new Load(null, answer, null, epochAtBegin, null);
        }
        BucketKey file = new BucketKey(bucket, key);
        Entry entry = files.computeIfAbsent(file, f -> new Entry());
        byte[] body = entry.answers.get(answer);
        if (body != null) {
            entry.used = true;
            hits.increment();
            return new Load(file, answer, entry, epochAtBegin, body);
        }
        misses.increment();
        if (files.size() > maxFiles()) {
            // Entries of files whose answers are never stored (unknown files) count against the bound too.
            evict();
        }
        return new Load(file, answer, entry, epochAtBegin, null);
    }

    /** The projection changed these files: their answers go. */
    @Override
    public void changed(List<BucketKey> changedFiles) {
        for (BucketKey file : changedFiles) {
            Entry removed = files.remove(file);
            if (removed != null) {
                totalBytes.addAndGet(-removed.bytes.get());
                invalidated.increment();
            }
        }
    }

    /** The projection changed these files: their answers go. */
    public void changed(String bucket, String key) {
        changed(List.of(new BucketKey(bucket, key)));
    }

    /**
     * Anything may have changed: a notice too large to list, or listening (re)started after notices may have been
     * missed. Either way notices are heard from here on, so the cache serves again, from empty.
     */
    @Override
    public void everythingChanged() {
        epoch++;
        dropAll();
        serving = true;
    }

    /** Notices cannot be heard until {@link #everythingChanged()}: nothing is served or kept meanwhile. */
    @Override
    public void listeningLost() {
        serving = false;
        epoch++;
        dropAll();
    }

    public boolean serving() {
        return serving;
    }

    private void dropAll() {
        synchronized (evicting) {
            int count = files.size();
            files.clear();
            totalBytes.set(0);
            if (count > 0) {
                resets.increment();
            }
        }
    }

    /**
     * Second chance: a file read since the last sweep is spared once; others go until the cache is under 90 % of its
     * bounds (bytes and files). The sweep also re-counts the bytes, which races between a store and a removal can skew slightly.
     */
    private void evict() {
        synchronized (evicting) {
            long target = settings.maxBytes() * 9 / 10;
            long fileTarget = maxFiles() * 9 / 10;
            for (int pass = 0; pass < 2 && (totalBytes.get() > target || files.size() > fileTarget); pass++) {
                Iterator<Map.Entry<BucketKey, Entry>> it = files.entrySet().iterator();
                while (it.hasNext() && (totalBytes.get() > target || files.size() > fileTarget)) {
                    Map.Entry<BucketKey, Entry> next = it.next();
                    Entry entry = next.getValue();
                    if (entry.used && pass == 0) {
                        entry.used = false;
                        continue;
                    }
                    if (files.remove(next.getKey(), entry)) {
                        totalBytes.addAndGet(-entry.bytes.get());
                        evicted.increment();
                    }
                }
            }
            long recount = 0;
            for (Entry entry : files.values()) {
                recount += entry.bytes.get();
            }
            totalBytes.set(recount);
        }
    }

    /** One file's entry costs a few hundred bytes even when empty. */
    private long maxFiles() {
        return Math.max(16, settings.maxBytes() / 512);
    }

    long bytes() {
        return totalBytes.get();
    }
}
