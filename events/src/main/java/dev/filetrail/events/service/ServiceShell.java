package dev.filetrail.events.service;

import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.RequiredTopics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every service does the same way around its own work: metrics registry, topic check at start, SIGTERM. */
public final class ServiceShell {
    private static final Logger log = LoggerFactory.getLogger(ServiceShell.class);

    private ServiceShell() {
    }

    /** A Prometheus registry with the JVM's own meters bound. */
    public static PrometheusMeterRegistry registryWithJvmMetrics() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Fails the start unless {@code topics} exist, are visible and co-partitioned (creating them is the operator's
     * job); see {@link RequiredTopics}.
     */
    public static void requireTopics(KafkaClientSettings kafka, Collection<String> topics) {
        try (Admin admin = kafka.newAdmin()) {
            RequiredTopics.verify(admin, topics);
        }
    }

    /**
     * Blocks until the JVM is told to stop (SIGTERM, Ctrl-C), then closes {@code service} before the JVM exits, so
     * that in-flight work finishes or is released.
     */
    public static int runUntilStopped(Service service, String name) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                log.info("stopping service={} reason=shutdown-signal", name);
                service.close();
            } catch (RuntimeException e) {
                System.err.println(name + " did not stop cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }, name + "-shutdown"));
        System.out.println(name + " running; SIGTERM or Ctrl-C stops it gracefully.");
        stopped.await();
        return 0;
    }
}
