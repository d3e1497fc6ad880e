package dev.filetrail.api.changes;

import dev.filetrail.api.http.ApiProblem;
import dev.filetrail.api.projection.BucketKey;
import dev.filetrail.api.projection.ProjectionNotices;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everyone waiting for changes (long-polls and open streams), indexed by bucket, woken by the projection's notices:
 * a notice naming a file wakes the waiters of its bucket whose prefix the key starts with; "everything changed"
 * wakes all of them to look for themselves. No thread waits: a waiter is a callback. Each API key may hold
 * {@code waitsPerKey} waiters at once.
 */
final class ChangeWaits implements ProjectionNotices.Subscriber {
    private static final Logger log = LoggerFactory.getLogger(ChangeWaits.class);

    /** What a waiter does when woken; called on the notice thread, so it must not block. */
    interface Wake {
        /** A file under the waiter's prefix changed (a commit named it). */
        void changed();

        /** Something may have changed (notices may have been missed): look. */
        void maybeChanged();
    }

    /** One waiter's place; closing it frees the place and the key's slot (once). */
    final class Registration implements AutoCloseable {
        private final String keyId;
        private final String bucket;
        private final String prefix;
        private final Wake wake;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private Registration(String keyId, String bucket, String prefix, Wake wake) {
            this.keyId = keyId;
            this.bucket = bucket;
            this.prefix = prefix;
            this.wake = wake;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                Set<Registration> set = byBucket.get(bucket);
                if (set != null) {
                    set.remove(this);
                }
                perKey.computeIfPresent(keyId, (k, n) -> n <= 1 ? null : n - 1);
                total.decrementAndGet();
            }
        }
    }

    /** Too many waiters for one API key: 429, with the seconds to wait before trying again. */
    static final class TooManyWaits extends ApiProblem {
        TooManyWaits(int limit) {
            super(429, "too-many-waits", "Too many waiting requests",
                    "this API key already holds " + limit + " waiting long-polls and streams (CHANGES_WAITS_PER_KEY); "
                            + "close one, or retry after the Retry-After seconds");
        }
    }

    private final Map<String, Set<Registration>> byBucket = new ConcurrentHashMap<>();
    /** Waiters per API key; changed only inside {@code compute}, so a count and its check are one step. */
    private final Map<String, Integer> perKey = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final int waitsPerKey;
    private final Counter refused;
    private final Counter woken;

    ChangeWaits(int waitsPerKey, MeterRegistry registry) {
        this.waitsPerKey = waitsPerKey;
        Gauge.builder("filetrail_changes_waiters", total, AtomicInteger::get)
                .description("long-polls and streams waiting for changes").register(registry);
        this.refused = Counter.builder("filetrail_changes_waits_refused")
                .description("waits refused with 429: the API key held CHANGES_WAITS_PER_KEY already").register(registry);
        this.woken = Counter.builder("filetrail_changes_wakeups").description("waiters woken by projection notices")
                .register(registry);
    }

    /** Registers a waiter for changes in {@code bucket} under {@code prefix}; 429 when the key holds its limit. */
    Registration register(String keyId, String bucket, String prefix, Wake wake) {
        boolean[] full = {false};
        perKey.compute(keyId, (k, held) -> {
            int n = held == null ? 0 : held;
            if (n >= waitsPerKey) {
                full[0] = true;
                return held;
            }
            return n + 1;
        });
        if (full[0]) {
            refused.increment();
            log.info("change wait refused, key holds its limit keyId={} limit={}", keyId, waitsPerKey);
            throw new TooManyWaits(waitsPerKey);
        }
        total.incrementAndGet();
        Registration registration = new Registration(keyId, bucket, prefix, wake);
        byBucket.computeIfAbsent(bucket, b -> ConcurrentHashMap.newKeySet()).add(registration);
        return registration;
    }

    /** Waiters now, over every key. */
    int waiting() {
        return total.get();
    }

    /** Waiters held by one API key (its id). */
    int waiting(String keyId) {
        return perKey.getOrDefault(keyId, 0);
    }

    @Override
    public void changed(List<BucketKey> keys) {
        for (BucketKey file : keys) {
            Set<Registration> set = byBucket.get(file.bucket());
            if (set == null) {
                continue;
            }
            for (Registration r : set) {
                if (file.key().startsWith(r.prefix)) {
                    woken.increment();
                    r.wake.changed();
                }
            }
        }
    }

    @Override
    public void everythingChanged() {
        for (Set<Registration> set : byBucket.values()) {
            for (Registration r : set) {
                r.wake.maybeChanged();
            }
        }
    }
}
