package dev.filetrail.api.keys;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Verified API keys in memory, by key id (the secret's hash, name, scopes), plus a short-lived negative entry for
 * ids the database does not know. It serves only while {@link KeyChangeListener} is listening for changes; every
 * invalidation moves an epoch, and a database load that began before the epoch moved is not cached, so a load
 * racing a revocation can never put the revoked key back.
 */
public final class KeyCache {
    /** Taken by a load when the cache is not serving: its result is never cached. */
    public static final long NOT_CACHING = -1;

    /** Size bound (each of the two maps) and how long an unknown id is remembered. */
    public record Settings(int maxSize, Duration negativeTtl) {
        public static final Settings DEFAULT = new Settings(10_000, Duration.ofSeconds(10));

        public Settings {
            if (maxSize < 1) {
                throw new IllegalArgumentException("API_KEY_CACHE_SIZE must be at least 1, got " + maxSize);
            }
            if (negativeTtl.isNegative()) {
                throw new IllegalArgumentException("API_KEY_NEGATIVE_TTL must not be negative, got " + negativeTtl);
            }
        }
    }

    /** An active key as the database holds it: only the secret's SHA-256 (hex, as stored), never the secret. */
    public record CachedKey(String id, String name, String secretSha256, Set<Scope> scopes, Instant createdAt,
                            ApiKeys.Limits limits) {
        /** A key without limits. */
        public CachedKey(String id, String name, String secretSha256, Set<Scope> scopes, Instant createdAt) {
            this(id, name, secretSha256, scopes, createdAt, ApiKeys.Limits.NONE);
        }

        ApiKeys.ApiKeyInfo info() {
            return new ApiKeys.ApiKeyInfo(id, name, scopes, createdAt, null, limits);
        }
    }

    /** What the cache knows about an id: a key, that the id is unknown, or nothing (ask the database). */
    public sealed interface Lookup permits Found, Unknown, Miss {
    }

    public record Found(CachedKey key) implements Lookup {
    }

    public record Unknown() implements Lookup {
    }

    public record Miss() implements Lookup {
    }

    private static final Unknown UNKNOWN = new Unknown();
    private static final Miss MISS = new Miss();

    private final Settings settings;
    private final LongSupplier nanoTime;
    private final Map<String, CachedKey> keys = new ConcurrentHashMap<>();
    private final Map<String, Long> unknownUntil = new ConcurrentHashMap<>();
    private final Object writes = new Object();
    private volatile long epoch;
    private volatile boolean serving;
    private final Counter hits;
    private final Counter unknownHits;
    private final Counter misses;
    private final Counter bypassed;
    private final Counter invalidations;
    private final Counter resets;

    public KeyCache(Settings settings, MeterRegistry registry) {
        this(settings, registry, System::nanoTime);
    }

    KeyCache(Settings settings, MeterRegistry registry, LongSupplier nanoTime) {
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.hits = lookups(registry, "hit");
        this.unknownHits = lookups(registry, "unknown_hit");
        this.misses = lookups(registry, "miss");
        this.bypassed = lookups(registry, "bypassed");
        this.invalidations = Counter.builder("filetrail_api_key_cache_invalidations").tag("cause", "change")
                .register(registry);
        this.resets = Counter.builder("filetrail_api_key_cache_invalidations").tag("cause", "reset")
                .register(registry);
        Gauge.builder("filetrail_api_key_cache_entries", keys, Map::size).tag("kind", "key").register(registry);
        Gauge.builder("filetrail_api_key_cache_entries", unknownUntil, Map::size).tag("kind", "unknown")
                .register(registry);
        Gauge.builder("filetrail_api_key_cache_serving", this, c -> c.serving ? 1 : 0).register(registry);
    }

    private static Counter lookups(MeterRegistry registry, String outcome) {
        return Counter.builder("filetrail_api_key_cache_lookups").tag("outcome", outcome).register(registry);
    }

    /** What is cached for {@code id}; always a miss while the listener is not listening. */
    public Lookup lookup(String id) {
        if (!serving) {
            bypassed.increment();
            return MISS;
        }
        CachedKey key = keys.get(id);
        if (key != null) {
            hits.increment();
            return new Found(key);
        }
        Long until = unknownUntil.get(id);
        if (until != null) {
            if (nanoTime.getAsLong() - until < 0) {
                unknownHits.increment();
                return UNKNOWN;
            }
            unknownUntil.remove(id, until);
        }
        misses.increment();
        return MISS;
    }

    /** The token a database load takes before it reads; hand it back to {@link #putFound} or {@link #putUnknown}. */
    public long beginLoad() {
        return serving ? epoch : NOT_CACHING;
    }

    /** Caches a key read under {@code token}, unless something was invalidated since. */
    public void putFound(long token, CachedKey key) {
        synchronized (writes) {
            if (token != NOT_CACHING && token == epoch && serving) {
                unknownUntil.remove(key.id());
                if (!keys.containsKey(key.id())) {
                    bound(keys);
                }
                keys.put(key.id(), key);
            }
        }
    }

    /** Remembers for the negative TTL that {@code id} names no active key, unless something was invalidated since. */
    public void putUnknown(long token, String id) {
        if (settings.negativeTtl().isZero()) {
            return;
        }
        synchronized (writes) {
            if (token != NOT_CACHING && token == epoch && serving) {
                if (unknownUntil.size() >= settings.maxSize()) {
                    long now = nanoTime.getAsLong();
                    unknownUntil.values().removeIf(until -> now - until >= 0);
                }
                if (!unknownUntil.containsKey(id)) {
                    bound(unknownUntil);
                }
                unknownUntil.put(id, nanoTime.getAsLong() + settings.negativeTtl().toNanos());
            }
        }
    }

    /** Drops whatever is cached for {@code id} (a change was committed); a load in flight will not be cached. */
    public void invalidate(String id) {
        synchronized (writes) {
            epoch++;
            keys.remove(id);
            unknownUntil.remove(id);
        }
        invalidations.increment();
    }

    /** Drops everything and starts serving: the listener is listening (again) and re-reads the keys. */
    public long startServing() {
        synchronized (writes) {
            epoch++;
            keys.clear();
            unknownUntil.clear();
            serving = true;
            resets.increment();
            return epoch;
        }
    }

    /** Drops everything and stops serving: notifications may be missed, so every check goes to the database. */
    public void stopServing() {
        synchronized (writes) {
            epoch++;
            serving = false;
            keys.clear();
            unknownUntil.clear();
            resets.increment();
        }
    }

    public boolean serving() {
        return serving;
    }

    /** Cached keys (not counting unknown ids). */
    public int size() {
        return keys.size();
    }

    /** Cached unknown ids, expired or not. */
    public int unknownSize() {
        return unknownUntil.size();
    }

    public Settings settings() {
        return settings;
    }

    private <V> void bound(Map<String, V> map) {
        // Any entry will do: an evicted key costs one database read the next time it is presented.
        Iterator<String> ids = map.keySet().iterator();
        while (map.size() >= settings.maxSize() && ids.hasNext()) {
            ids.next();
            ids.remove();
        }
    }
}
