package dev.filetrail.api.shards;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every read-model shard at once: one read per shard, run concurrently on a bounded pool of daemon threads, the
 * answers handed back in shard order. A request then costs about the slowest shard's round trip instead of the sum
 * of N. With one shard, or built {@link #sequential()}, every read runs on the caller's thread, one after another.
 *
 * <p>The pool has no queue (a {@link SynchronousQueue}): a shard's read starts on an idle pool thread at once or,
 * when all {@code threads} are busy, runs on the caller's (the request's) thread right then. So a saturated pool
 * degrades to the sequential fan-out this class replaced, on the request thread, and never to worse: no read waits in
 * a queue behind other requests' reads while its own request thread idles, nothing queued grows without bound, and
 * the threads in flight are at most Jetty's request threads plus {@code threads}. Each shard has its own connection
 * pool, so the fan-out puts the same one statement on each shard's pool that the sequential loop did; what it adds is
 * API-side threads, which {@code threads} caps.
 *
 * <p>A call returns or throws only once every read it started has finished: a failing shard fails the call with that
 * shard's own exception (the lowest failing shard's, as the sequential loop met it first; the others' added as
 * suppressed), so the request fails exactly as before, and no statement of a failed request still runs on a shard
 * afterwards. Reads are not interrupted: pgjdbc does not stop a statement on an interrupt, and each holds its
 * connection only inside its own try-with-resources.
 */
public final class ShardFanOut implements AutoCloseable {
    /**
     * READ_MODEL_FANOUT_THREADS when unset: one request over 64 shards in one wave, or eight at once over eight. The
     * threads mostly wait on sockets, so they cost stacks, not CPU; past them the request threads read themselves.
     */
    public static final int DEFAULT_THREADS = 64;
    /** The {@code name} tag of the pool's {@code executor_*} meters, and its threads' name prefix. */
    public static final String NAME = "read-model-fanout";
    private static final Logger log = LoggerFactory.getLogger(ShardFanOut.class);
    private static final ShardFanOut SEQUENTIAL = new ShardFanOut();

    /** Null: every read on the caller's thread. */
    private final ThreadPoolExecutor pool;
    private final Counter saturated;

    private ShardFanOut() {
        this.pool = null;
        this.saturated = null;
    }

    /**
     * A fan-out over at most {@code threads} pool threads (created on first use, gone after a minute idle), its
     * meters in {@code registry}: {@code executor_active_threads{name="read-model-fanout"}} and the other
     * {@code executor_*} gauges, and {@code filetrail_read_model_fanout_saturated_total}, the shard reads a request
     * thread ran itself because no pool thread was idle (raise {@code threads} when it climbs).
     */
    public ShardFanOut(int threads, MeterRegistry registry) {
        if (threads < 1) {
            throw new IllegalArgumentException("a fan-out pool needs at least one thread, got " + threads
                    + "; use ShardFanOut.sequential() for none");
        }
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, NAME + "-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        new ExecutorServiceMetrics(pool, NAME, Tags.empty()).bindTo(registry);
        this.saturated = Counter.builder("filetrail_read_model_fanout_saturated")
                .description("shard reads the request thread ran itself because every fan-out thread was busy")
                .register(registry);
        log.info("read model fan-out ready threads={}", threads);
    }

    /**
     * Every shard on the caller's thread, one after another, stopping at the first failure: the one-database
     * service, and {@code READ_MODEL_FANOUT_THREADS=0}.
     */
    public static ShardFanOut sequential() {
        return SEQUENTIAL;
    }

    /** The configured fan-out: sequential with one shard (no pool, no meters: today's service) or no threads. */
    public static ShardFanOut forShards(int shards, int threads, MeterRegistry registry) {
        return shards == 1 || threads == 0 ? sequential() : new ShardFanOut(threads, registry);
    }

    /** {@code read} of each of {@code shards}, in shard order (the answers may be null). */
    public <S, T> List<T> each(List<S> shards, Function<? super S, ? extends T> read) {
        return each(shards.size(), i -> read.apply(shards.get(i)));
    }

    /** {@code read(i)} for every shard index {@code i} below {@code shards}, in shard order. */
    public <T> List<T> each(int shards, IntFunction<? extends T> read) {
        if (pool == null || shards == 1) {
            List<T> answers = new ArrayList<>(shards);
            for (int i = 0; i < shards; i++) {
                answers.add(read.apply(i));
            }
            return Collections.unmodifiableList(answers);
        }
        List<FutureTask<T>> reads = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            int shard = i;
            reads.add(new FutureTask<>(() -> read.apply(shard)));
        }
        // Shards 1.. go to the pool first, then the caller reads shard 0 itself instead of idling.
        for (int i = 1; i < shards; i++) {
            try {
                pool.execute(reads.get(i));
            } catch (RejectedExecutionException e) {
                if (!pool.isShutdown()) {
                    saturated.increment();
                }
                // Every pool thread is busy: read this shard here and now. Later shards are offered to the pool
                // again, whose threads may have come free meanwhile.
                reads.get(i).run();
            }
        }
        reads.get(0).run();
        return answers(reads);
    }

    /** Waits for every read, uninterrupted (a read is not stopped by an interrupt either), then answers or throws. */
    private static <T> List<T> answers(List<FutureTask<T>> reads) {
        Object[] answers = new Object[reads.size()];
        Throwable failure = null;
        boolean interrupted = false;
        for (int i = 0; i < reads.size(); i++) {
            while (true) {
                try {
                    answers[i] = reads.get(i).get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (failure == null) {
                        failure = cause;
                    } else if (failure != cause) {
                        failure.addSuppressed(cause);
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        if (failure != null) {
            throw new IllegalStateException("a shard's read failed", failure);
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Arrays.asList(answers);
        return Collections.unmodifiableList(list);
    }

    /** Lets running reads finish (their requests wait for them), then stops the threads. */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("read model fan-out still running after 30 s at close active={}", pool.getActiveCount());
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
