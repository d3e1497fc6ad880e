package dev.filetrail.api.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyCacheTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private KeyCache cache(int maxSize, Duration negativeTtl) {
        KeyCache cache = new KeyCache(new KeyCache.Settings(maxSize, negativeTtl), registry, now::get);
        cache.startServing();
        return cache;
    }

    private static KeyCache.CachedKey key(String id) {
        return new KeyCache.CachedKey(id, "name-" + id, "00ff", EnumSet.of(Scope.READ), Instant.EPOCH);
    }

    @Test
    void aLoadThatBeganBeforeAnInvalidationIsNotCached() {
        KeyCache cache = cache(10, Duration.ofSeconds(10));
        long token = cache.beginLoad();
        // The request read the key; meanwhile it was revoked and the notification arrived.
        cache.invalidate("k1");
        cache.putFound(token, key("k1"));
        cache.putUnknown(token, "k2");

        assertThat(cache.lookup("k1")).isInstanceOf(KeyCache.Miss.class);
        assertThat(cache.lookup("k2")).isInstanceOf(KeyCache.Miss.class);

        long fresh = cache.beginLoad();
        cache.putFound(fresh, key("k1"));
        assertThat(cache.lookup("k1")).isEqualTo(new KeyCache.Found(key("k1")));
    }

    @Test
    void servesNothingAndCachesNothingWhileNotServing() {
        KeyCache cache = cache(10, Duration.ofSeconds(10));
        cache.putFound(cache.beginLoad(), key("k1"));
        long tokenBeforeLoss = cache.beginLoad();

        cache.stopServing();

        assertThat(cache.size()).isZero();
        assertThat(cache.lookup("k1")).isInstanceOf(KeyCache.Miss.class);
        assertThat(cache.beginLoad()).isEqualTo(KeyCache.NOT_CACHING);
        cache.putFound(cache.beginLoad(), key("k1"));
        cache.putFound(tokenBeforeLoss, key("k1"));
        assertThat(cache.size()).isZero();

        cache.startServing();
        cache.putFound(tokenBeforeLoss, key("k1"));
        assertThat(cache.size()).isZero();
        assertThat(registry.get("filetrail_api_key_cache_lookups").tag("outcome", "bypassed").counter().count())
                .isEqualTo(1);
    }

    @Test
    void unknownIdsAreRememberedForTheTtlOnly() {
        KeyCache cache = cache(10, Duration.ofSeconds(10));
        cache.putUnknown(cache.beginLoad(), "nope");

        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(cache.lookup("nope")).isInstanceOf(KeyCache.Unknown.class);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(cache.lookup("nope")).isInstanceOf(KeyCache.Miss.class);
        assertThat(cache.unknownSize()).isZero();
    }

    @Test
    void aKeyCreatedAfterAMissReplacesTheUnknownEntry() {
        KeyCache cache = cache(10, Duration.ofMinutes(10));
        cache.putUnknown(cache.beginLoad(), "k1");
        cache.invalidate("k1");
        assertThat(cache.lookup("k1")).isInstanceOf(KeyCache.Miss.class);
    }

    @Test
    void bothMapsStayWithinTheirBound() {
        KeyCache cache = cache(3, Duration.ofMinutes(10));
        for (int i = 0; i < 10; i++) {
            cache.putFound(cache.beginLoad(), key("k" + i));
            cache.putUnknown(cache.beginLoad(), "u" + i);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.unknownSize()).isEqualTo(3);
        assertThat(cache.lookup("k9")).isInstanceOf(KeyCache.Found.class);
        assertThat(cache.lookup("u9")).isInstanceOf(KeyCache.Unknown.class);

        // Replacing a cached id evicts nothing.
        cache.putFound(cache.beginLoad(), key("k9"));
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void settingsRefuseNonsense() {
        assertThatThrownBy(() -> new KeyCache.Settings(0, Duration.ofSeconds(1)))
                .hasMessageContaining("API_KEY_CACHE_SIZE");
        assertThatThrownBy(() -> new KeyCache.Settings(1, Duration.ofSeconds(-1)))
                .hasMessageContaining("API_KEY_NEGATIVE_TTL");
    }
}
