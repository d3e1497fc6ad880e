package dev.filetrail.bridge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads over a window, grouped by who they belong to: the SQS server (ElasticMQ), the Kafka
 * broker, and the side under test (clients, pollers, producer I/O). The benchmark shares one JVM with the servers, so
 * the process's CPU alone cannot say what the bridge itself costs. Threads are sampled every 20 ms, so a thread that
 * ends inside the window (a poller) is counted up to its last sample.
 */
final class ThreadCpu implements AutoCloseable {
    /** ElasticMQ runs on Pekko (actors, its HTTP server). */
    private static final Pattern SQS_SERVER = Pattern.compile("(?i).*(pekko|elasticmq).*");
    /** The in-JVM broker's threads; the producer's own I/O thread is the client's. */
    private static final Pattern BROKER = Pattern.compile(
            "(?i)^(?!kafka-producer-network-thread).*(kafka|raft|data-plane|broker|controller|replica|logcleaner|"
                    + "expirationreaper|group-coordinator|transaction|quorum|scheduler|log-|share-).*");

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, String> names = new HashMap<>();
    private final Map<Long, Long> first = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;
    private boolean baselineTaken;

    private ThreadCpu() {
        sample();
        synchronized (this) {
            baselineTaken = true;
        }
        sampler = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }, "bench-thread-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static ThreadCpu start() {
        return new ThreadCpu();
    }

    private synchronized void sample() {
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (cpu < 0) {
                continue;
            }
            names.putIfAbsent(ids[i], infos[i].getThreadName());
            // A thread first seen after the start began inside the window: all its CPU counts.
            first.putIfAbsent(ids[i], baselineTaken ? 0L : cpu);
            last.put(ids[i], cpu);
        }
    }

    /** CPU nanoseconds per group over the window, and the busiest threads of the side under test. */
    record Split(long sqsServer, long broker, long side, List<Map.Entry<String, Long>> sideThreads) {
        String describe(long messages) {
            StringBuilder text = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "CPU us/msg: this side %.1f, SQS server %.1f, broker %.1f; this side's threads:", side / 1e3 / messages,
                    sqsServer / 1e3 / messages, broker / 1e3 / messages));
            for (Map.Entry<String, Long> e : sideThreads) {
                text.append(String.format(java.util.Locale.ROOT, " %s=%.1f", e.getKey(), e.getValue() / 1e3 / messages));
            }
            return text.toString();
        }
    }

    Split stop() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
        long sqs = 0;
        long broker = 0;
        long side = 0;
        Map<String, Long> byName = new LinkedHashMap<>();
        synchronized (this) {
            for (Map.Entry<Long, Long> e : last.entrySet()) {
                String name = names.get(e.getKey());
                if (name.equals("bench-thread-cpu-sampler") || name.contains("BridgeBenchmark")) {
                    // The benchmark's own threads (the sampler, the main thread watching the delete count).
                    continue;
                }
                long used = e.getValue() - first.getOrDefault(e.getKey(), 0L);
                if (SQS_SERVER.matcher(name).matches()) {
                    sqs += used;
                } else if (BROKER.matcher(name).matches()) {
                    broker += used;
                } else {
                    side += used;
                    // Numbered threads of one kind (pool-3-thread-1, poller-2) summed under one name.
                    byName.merge(name.replaceAll("\\d+", "#"), used, Long::sum);
                }
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>(byName.entrySet());
        top.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return new Split(sqs, broker, side, top.subList(0, Math.min(8, top.size())));
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
