package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class FileAnswerCacheTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private FileAnswerCache listeningCache(long maxBytes) {
        FileAnswerCache cache = new FileAnswerCache(new FileAnswerCache.Settings(maxBytes), registry);
        cache.everythingChanged();           // what the notices say once they listen
        return cache;
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void servesNothingBeforeNoticesAreHeard() {
        FileAnswerCache cache = new FileAnswerCache(new FileAnswerCache.Settings(1 << 20), registry);
        cache.begin("b", "k", "file").store(body("early"));
        assertThat(cache.begin("b", "k", "file").cached()).isNull();
    }

    @Test
    void aStoredAnswerIsServedUntilItsFileChanges() {
        FileAnswerCache cache = listeningCache(1 << 20);
        FileAnswerCache.Load first = cache.begin("b", "k", "versions");
        assertThat(first.cached()).isNull();
        first.store(body("v1"));

        assertThat(cache.begin("b", "k", "versions").cached()).isEqualTo(body("v1"));
        assertThat(cache.begin("b", "k", "versions?limit=1").cached()).isNull();
        assertThat(cache.begin("b", "other", "versions").cached()).isNull();

        cache.changed("b", "k");
        assertThat(cache.begin("b", "k", "versions").cached()).isNull();
    }

    @Test
    void aLoadThatRacedAChangeIsNeverServed() {
        FileAnswerCache cache = listeningCache(1 << 20);
        FileAnswerCache.Load racing = cache.begin("b", "k", "versions");
        cache.changed("b", "k");              // the projector committed while the load read the old rows
        racing.store(body("stale"));

        assertThat(cache.begin("b", "k", "versions").cached()).isNull();
    }

    @Test
    void aLoadThatRacedAResetIsNeverServed() {
        FileAnswerCache cache = listeningCache(1 << 20);
        FileAnswerCache.Load racing = cache.begin("b", "k", "file");
        cache.everythingChanged();
        racing.store(body("stale"));

        assertThat(cache.begin("b", "k", "file").cached()).isNull();
    }

    @Test
    void nothingIsServedOrKeptWhileNoticesCannotBeHeard() {
        FileAnswerCache cache = listeningCache(1 << 20);
        cache.begin("b", "k", "file").store(body("before"));
        cache.listeningLost();

        FileAnswerCache.Load load = cache.begin("b", "k", "file");
        assertThat(load.cached()).isNull();
        load.store(body("while deaf"));
        assertThat(cache.begin("b", "k", "file").cached()).isNull();

        cache.everythingChanged();
        assertThat(cache.begin("b", "k", "file").cached()).as("dropped when listening resumed").isNull();
    }

    @Test
    void staysWithinItsBoundAndSparesWhatWasReadSinceTheLastSweep() {
        FileAnswerCache cache = listeningCache(64 * 1024);
        byte[] page = new byte[1024];
        cache.begin("b", "hot", "versions").store(page);
        for (int i = 0; i < 200; i++) {
            assertThat(cache.begin("b", "hot", "versions").cached()).as("hot after %d others", i).isNotNull();
            cache.begin("b", "cold-" + i, "versions").store(page);
            assertThat(cache.bytes()).isLessThanOrEqualTo(64 * 1024);
        }
    }

    @Test
    void unknownFilesCannotGrowItWithoutBound() {
        FileAnswerCache cache = listeningCache(64 * 1024);
        for (int i = 0; i < 10_000; i++) {
            cache.begin("b", "missing-" + i, "file");      // a 404: nothing is stored
        }
        assertThat(registry.get("filetrail_api_file_cache_files").gauge().value()).isLessThanOrEqualTo(128);
    }

    /**
     * Writers change a file's "rows" and then deliver the notice, as the projector's commit does; readers load
     * through the cache. Once the writers stop, every answer the cache serves is the latest.
     */
    @Test
    void concurrentLoadsAndChangesNeverLeaveAStaleAnswer() throws Exception {
        FileAnswerCache cache = listeningCache(1 << 20);
        int fileCount = 8;
        AtomicIntegerArray rows = new AtomicIntegerArray(fileCount);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> tasks = new ArrayList<>();
        var stores = registry.get("filetrail_api_file_cache_stores").counter();
        tasks.add(pool.submit(() -> {
            // Until the readers have stored enough to have raced the changes (a starved reader thread on a loaded
            // machine stores nothing in 20,000 changes); bounded, and the assertion below says if it never happened.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int n = 0; (n < 20_000 || stores.count() < 500) && System.nanoTime() < deadline; n++) {
                int f = ThreadLocalRandom.current().nextInt(fileCount);
                rows.incrementAndGet(f);
                cache.changed("b", "f" + f);
            }
            writing.set(false);
        }));
        for (int r = 0; r < 3; r++) {
            tasks.add(pool.submit(() -> {
                while (writing.get()) {
                    int f = ThreadLocalRandom.current().nextInt(fileCount);
                    FileAnswerCache.Load load = cache.begin("b", "f" + f, "versions");
                    if (load.cached() == null) {
                        String read = Integer.toString(rows.get(f));
                        Thread.yield();     // widen the window between the read and the store
                        load.store(body(read));
                    }
                }
            }));
        }
        for (Future<?> task : tasks) {
            task.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        for (int f = 0; f < fileCount; f++) {
            byte[] cached = cache.begin("b", "f" + f, "versions").cached();
            if (cached != null) {
                assertThat(new String(cached, StandardCharsets.UTF_8)).as("file f%d", f)
                        .isEqualTo(Integer.toString(rows.get(f)));
            }
        }
        assertThat(stores.count()).as("answers stored while files changed").isGreaterThanOrEqualTo(500);
    }
}
