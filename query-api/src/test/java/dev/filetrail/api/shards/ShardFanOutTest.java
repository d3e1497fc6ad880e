package dev.filetrail.api.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The fan-out itself, without databases (the shards' statements are in {@code ShardFanOutApiTest}): reads run at
 * once and come back in shard order, one shard stays on the caller's thread, a failure is the lowest failing shard's
 * own exception and only once every read has finished, and a busy pool hands the read to the caller instead of
 * queueing it. Latches and barriers order the threads; the only bound is {@link #LIVENESS}, after which a fan-out
 * that is not concurrent fails instead of hanging the build.
 */
class ShardFanOutTest {
    private static final long LIVENESS = 60;

    @Test
    void everyShardIsInFlightAtOnceAndTheCallerReadsShardZeroItself() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ShardFanOut fanOut = new ShardFanOut(8, registry)) {
            // No shard gets past the barrier until all three are at it: one after another, this would time out.
            CyclicBarrier allThree = new CyclicBarrier(3);
            List<String> threads = fanOut.each(3, shard -> {
                await(allThree);
                return Thread.currentThread().getName();
            });
            assertThat(threads.get(0)).isEqualTo(Thread.currentThread().getName());
            assertThat(threads.subList(1, 3)).allMatch(name -> name.startsWith(ShardFanOut.NAME + "-"))
                    .doesNotHaveDuplicates();
            assertThat(registry.get("filetrail_read_model_fanout_saturated").counter().count()).isZero();
        }
    }

    @Test
    void answersComeBackInShardOrderWhateverOrderTheShardsFinishIn() {
        try (ShardFanOut fanOut = new ShardFanOut(8, new SimpleMeterRegistry())) {
            int n = 5;
            // Shard i finishes only after shard i + 1: the last shard first, shard 0 (the caller's) last.
            List<CountDownLatch> finished = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                finished.add(new CountDownLatch(1));
            }
            List<Integer> finishOrder = Collections.synchronizedList(new ArrayList<>());
            List<String> answers = fanOut.each(n, shard -> {
                if (shard + 1 < n) {
                    await(finished.get(shard + 1));
                }
                finishOrder.add(shard);
                finished.get(shard).countDown();
                return "shard " + shard;
            });
            assertThat(finishOrder).containsExactly(4, 3, 2, 1, 0);
            assertThat(answers).containsExactly("shard 0", "shard 1", "shard 2", "shard 3", "shard 4");
        }
    }

    @Test
    void oneShardRunsOnTheCallersThreadAndStartsNoPoolThread() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ShardFanOut fanOut = new ShardFanOut(8, registry)) {
            Thread caller = Thread.currentThread();
            assertThat(fanOut.each(1, shard -> Thread.currentThread())).containsExactly(caller);
            assertThat(fanOut.each(List.of("only"), shard -> Thread.currentThread())).containsExactly(caller);
            assertThat(registry.get("executor.pool.size").tag("name", ShardFanOut.NAME).gauge().value()).isZero();
            assertThat(registry.get("executor.completed").tag("name", ShardFanOut.NAME).functionCounter().count())
                    .isZero();
        }
        // The service's one-shard configuration builds no pool and no meters at all: the unsharded API as before.
        SimpleMeterRegistry unsharded = new SimpleMeterRegistry();
        assertThat(ShardFanOut.forShards(1, ShardFanOut.DEFAULT_THREADS, unsharded)).isSameAs(ShardFanOut.sequential());
        assertThat(unsharded.getMeters()).isEmpty();
        assertThat(ShardFanOut.forShards(4, 0, unsharded)).isSameAs(ShardFanOut.sequential());
    }

    @Test
    void aFailingShardFailsTheCallWithItsOwnExceptionOnlyOnceTheOtherShardsHaveFinished() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ShardFanOut fanOut = new ShardFanOut(8, registry)) {
            IllegalStateException down = new IllegalStateException("file listing failed for bucket b (shard 1)");
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean slowShardFinished = new AtomicBoolean();
            AtomicBoolean finishedWhenThrown = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    fanOut.each(3, shard -> {
                        if (shard == 1) {
                            throw down;
                        }
                        if (shard == 2) {
                            await(release);
                            slowShardFinished.set(true);
                            return "late";
                        }
                        // Shard 0, on this thread: return once shard 1's task has ended with its failure, so the
                        // failure is there before the caller starts waiting for the answers.
                        awaitTrue(() -> registry.get("executor.completed").tag("name", ShardFanOut.NAME)
                                .functionCounter().count() >= 1);
                        return "early";
                    });
                } catch (Throwable e) {
                    finishedWhenThrown.set(slowShardFinished.get());
                    thrown.set(e);
                }
            }, "request");
            caller.start();
            // The caller knows shard 1 failed; it must now wait for shard 2 rather than return.
            awaitTrue(() -> caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TERMINATED);
            assertThat(caller.getState()).as("the call waits for the shard still reading").isEqualTo(Thread.State.WAITING);
            release.countDown();
            caller.join(TimeUnit.SECONDS.toMillis(LIVENESS));
            assertThat(thrown.get()).isSameAs(down);
            assertThat(finishedWhenThrown.get()).as("shard 2 finished before the call failed").isTrue();
            assertThat(registry.get("executor.active").tag("name", ShardFanOut.NAME).gauge().value()).isZero();
        }
    }

    @Test
    void theLowestFailingShardsExceptionIsThrownWithTheOthersSuppressed() {
        try (ShardFanOut fanOut = new ShardFanOut(8, new SimpleMeterRegistry())) {
            RuntimeException first = new IllegalStateException("shard 1");
            RuntimeException second = new IllegalStateException("shard 3");
            CountDownLatch secondThrown = new CountDownLatch(1);
            // Shard 3 fails first in time; shard 1 is still the one the sequential loop would have met first.
            assertThatThrownBy(() -> fanOut.each(4, shard -> {
                if (shard == 3) {
                    secondThrown.countDown();
                    throw second;
                }
                if (shard == 1) {
                    await(secondThrown);
                    throw first;
                }
                return shard;
            })).isSameAs(first).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(second));
        }
    }

    @Test
    void aSaturatedPoolHandsTheReadToTheCallerInsteadOfQueueingIt() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ShardFanOut fanOut = new ShardFanOut(1, registry)) {
            // Another request holds the pool's only thread.
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread other = new Thread(() -> fanOut.each(2, shard -> {
                if (shard == 1) {
                    started.countDown();
                    await(release);
                }
                return shard;
            }), "other-request");
            other.start();
            await(started);
            Thread caller = Thread.currentThread();
            List<Thread> ranOn = fanOut.each(3, shard -> Thread.currentThread());
            assertThat(ranOn).containsExactly(caller, caller, caller);
            assertThat(registry.get("filetrail_read_model_fanout_saturated").counter().count()).isEqualTo(2);
            assertThat(registry.get("executor.queued").tag("name", ShardFanOut.NAME).gauge().value()).isZero();
            release.countDown();
            other.join(TimeUnit.SECONDS.toMillis(LIVENESS));
            assertThat(other.isAlive()).isFalse();
            // Free again: shards run on the pool once its thread is back waiting for work.
            awaitTrue(() -> fanOut.each(2, shard -> Thread.currentThread().getName()).get(1)
                    .startsWith(ShardFanOut.NAME + "-"));
        }
    }

    @Test
    void aClosedFanOutStillAnswersOnTheCallersThread() {
        ShardFanOut fanOut = new ShardFanOut(4, new SimpleMeterRegistry());
        fanOut.close();
        Thread caller = Thread.currentThread();
        assertThat(fanOut.each(3, shard -> Thread.currentThread())).containsExactly(caller, caller, caller);
    }

    @Test
    void sequentialAsksEveryShardInTurnOnTheCallerAndStopsAtTheFirstFailure() {
        List<Integer> asked = new ArrayList<>();
        Thread caller = Thread.currentThread();
        assertThat(ShardFanOut.sequential().each(3, shard -> {
            asked.add(shard);
            return Thread.currentThread();
        })).containsExactly(caller, caller, caller);
        assertThat(asked).containsExactly(0, 1, 2);
        asked.clear();
        assertThatThrownBy(() -> ShardFanOut.sequential().each(3, shard -> {
            asked.add(shard);
            if (shard == 1) {
                throw new IllegalStateException("shard 1 down");
            }
            return shard;
        })).hasMessage("shard 1 down");
        assertThat(asked).containsExactly(0, 1);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(LIVENESS, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within " + LIVENESS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(LIVENESS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the shards were not all in flight at once", e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + LIVENESS + " s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
