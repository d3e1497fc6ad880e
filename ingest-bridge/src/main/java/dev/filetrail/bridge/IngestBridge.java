package dev.filetrail.bridge;

import dev.filetrail.bridge.kafka.BridgeProducer;
import dev.filetrail.bridge.sqs.AfterProduceHook;
import dev.filetrail.bridge.sqs.QueuePoller;
import dev.filetrail.bridge.sqs.Readiness;
import dev.filetrail.bridge.sqs.VisibilityExtender;
import dev.filetrail.events.Topics;
import dev.filetrail.events.service.AdminServer;
import dev.filetrail.events.service.Service;
import dev.filetrail.events.service.ServiceShell;
import dev.filetrail.events.service.Status;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The SQS → Kafka bridge service: {@code pollers} long-polling loops over one queue, one idempotent producer,
 * and {@code /health} + {@code /metrics}. {@link #close()} finishes the batches in flight, or releases them to
 * the queue when they outlast the shutdown grace.
 */
public final class IngestBridge implements Service {
    private static final Logger log = LoggerFactory.getLogger(IngestBridge.class);
    /** The topics the bridge writes. */
    public static final List<String> TOPICS = List.of(Topics.OBJECT_EVENTS.name(), Topics.PROCESSING_RESULTS.name(), Topics.INGEST_DLQ.name());

    private final BridgeConfig config;
    private final SqsClient sqs;
    private final BridgeProducer producer;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BridgeMetrics metrics = new BridgeMetrics(registry);
    private final AfterProduceHook afterProduce;
    private final Readiness readiness;
    private final ScheduledExecutorService scheduler;
    private final List<QueuePoller> pollers = new ArrayList<>();
    private ExecutorService pollerThreads;
    private AdminServer http;
    private volatile boolean running;
    private boolean closed;

    public IngestBridge(BridgeConfig config) {
        this(config, AfterProduceHook.NONE);
    }

    /** With a hook between produce and delete: the crash test's way to kill the bridge at the worst moment. */
    IngestBridge(BridgeConfig config, AfterProduceHook afterProduce) {
        this.config = config;
        this.afterProduce = afterProduce;
        this.readiness = new Readiness(Duration.ofMillis(config.stuckAfterMs()), Instant::now);
        this.sqs = AwsClients.sqs(config, AwsClients.BRIDGE);
        this.producer = BridgeProducer.connect(config.kafka(), config.kafkaDeliveryTimeoutMs(),
                "filetrail-ingest-bridge", config.kafkaLingerMs());
        AtomicInteger threadNumber = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(1, r -> daemon(r, "bridge-visibility-" + threadNumber.incrementAndGet()));
    }

    /** Checks the topics it writes exist (creating them is the operator's job), starts HTTP and the pollers. */
    public synchronized IngestBridge start() {
        if (running) {
            return this;
        }
        if (closed) {
            throw new IllegalStateException("the bridge was closed; build a new one");
        }
        ServiceShell.requireTopics(config.kafka(), TOPICS);
        http = new AdminServer("ingest-bridge", config.metricsPort(), registry, this::health, this::readiness).start();

        MessageTranslator translator = new MessageTranslator(config.queueUrl(), Clock.systemUTC());
        VisibilityExtender visibility = new VisibilityExtender(sqs, config.queueUrl(),
                config.visibilityTimeoutSeconds(), scheduler);
        QueuePoller.Settings settings = new QueuePoller.Settings(config.queueUrl(), config.batchSize(),
                config.waitTimeSeconds(), config.visibilityTimeoutSeconds(), config.kafkaDeliveryTimeoutMs(),
                config.retryBackoffMaxMs(), config.batchesInFlight());
        AtomicInteger pollerNumber = new AtomicInteger();
        pollerThreads = Executors.newFixedThreadPool(config.pollers(),
                r -> daemon(r, "bridge-poller-" + pollerNumber.incrementAndGet()));
        for (int i = 0; i < config.pollers(); i++) {
            QueuePoller poller = new QueuePoller("poller-" + (i + 1), sqs, settings, translator, producer,
                    visibility, metrics, afterProduce, Clock.systemUTC(), readiness);
            pollers.add(poller);
            pollerThreads.submit(poller);
        }
        scheduler.scheduleWithFixedDelay(this::refreshQueueDepth, 0, 10, TimeUnit.SECONDS);
        running = true;
        log.info("ingest bridge started queue={} pollers={} kafka={} identity={} metricsPort={}", config.queueUrl(),
                config.pollers(), config.kafka().bootstrapServers(), config.kafka().identity(), http.port());
        return this;
    }

    /** The port {@code /health} and {@code /metrics} listen on (useful when the configured port is 0). */
    public int metricsPort() {
        return http == null ? -1 : http.port();
    }

    @Override
    public int adminPort() {
        return metricsPort();
    }

    public BridgeMetrics metrics() {
        return metrics;
    }

    public boolean isRunning() {
        return running;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        pollers.forEach(QueuePoller::stop);
        if (pollerThreads != null) {
            pollerThreads.shutdown();
            try {
                long graceMs = Math.max(config.shutdownGraceSeconds() * 1000L, config.waitTimeSeconds() * 1000L + 1000);
                if (!pollerThreads.awaitTermination(graceMs, TimeUnit.MILLISECONDS)) {
                    log.warn("shutdown grace over, releasing in-flight batches queue={}", config.queueUrl());
                    pollers.forEach(QueuePoller::releaseInFlight);
                    pollerThreads.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pollers.forEach(QueuePoller::releaseInFlight);
                pollerThreads.shutdownNow();
            }
        }
        scheduler.shutdownNow();
        producer.close();
        sqs.close();
        if (http != null) {
            http.close();
        }
        log.info("ingest bridge stopped queue={}", config.queueUrl());
    }

    private void refreshQueueDepth() {
        try {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(config.queueUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            metrics.queueDepth(
                    Long.parseLong(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "-1")),
                    Long.parseLong(attributes.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "-1")));
        } catch (RuntimeException e) {
            log.debug("queue depth unavailable queue={} error={}", config.queueUrl(), e.toString());
        }
    }

    /** Why the bridge is not ready (stopped, or stuck for longer than BRIDGE_STUCK_AFTER_MS), or empty. */
    public Optional<String> notReady() {
        return running ? readiness.stuck() : Optional.of("stopped");
    }

    private Status health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", running ? "UP" : "DOWN");
        body.put("pollers", pollers.size());
        body.put("received", (long) metrics.count("bridge.messages.received"));
        body.put("failedMessages", (long) metrics.count("bridge.messages.failed"));
        return new Status(running, body);
    }

    private Status readiness() {
        Optional<String> reason = notReady();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reason.isEmpty() ? "READY" : "NOT_READY");
        reason.ifPresent(why -> body.put("reason", why));
        return new Status(reason.isEmpty(), body);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
