package dev.filetrail.journal.sink;

import dev.filetrail.events.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect standalone worker in this JVM (Connect's own {@link ConnectStandalone} path, without its
 * properties file and shutdown hook), logged in as one Kafka principal. Its REST listener binds a free loopback port.
 */
public final class ConnectWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectWorker.class);
    private final Connect<StandaloneHerder> connect;

    private ConnectWorker(Connect<StandaloneHerder> connect) {
        this.connect = connect;
    }

    /** Starts a worker whose own clients and whose connectors' clients all log in as {@code kafka}. */
    public static ConnectWorker start(KafkaClientSettings kafka, Path offsetsFile) {
        Map<String, String> w = new HashMap<>();
        Map<String, String> client = new HashMap<>();
        kafka.connectionProperties().forEach((k, v) -> client.put(k, String.valueOf(v)));
        w.putAll(client);
        client.forEach((k, v) -> {
            w.put("consumer." + k, v);
            w.put("producer." + k, v);
            w.put("admin." + k, v);
        });
        w.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        w.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        w.put("offset.storage.file.filename", offsetsFile.toString());
        w.put("listeners", "http://127.0.0.1:0");
        // Iceberg's workers answer the coordinator's commit requests only when Connect hands the task a batch; an idle
        // task gets one each time poll returns, which is every offset flush interval (60 s by default).
        w.put("offset.flush.interval.ms", "500");
        // Plugins are found through their ServiceLoader manifests (iceberg-kafka-connect has one), not a classpath scan.
        w.put("plugin.discovery", "service_load");
        long started = System.nanoTime();
        Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(w);
        log.info("connect worker started principal={} ms={} rest={}", kafka.identity(),
                (System.nanoTime() - started) / 1_000_000, connect.rest().advertisedUrl());
        return new ConnectWorker(connect);
    }

    /** A worker with a throwaway offsets file (sink connectors keep their offsets in Kafka, not there). */
    public static ConnectWorker start(KafkaClientSettings kafka) {
        try {
            Path offsets = Files.createTempFile("filetrail-connect-offsets", ".dat");
            offsets.toFile().deleteOnExit();
            return start(kafka, offsets);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the connect worker's offsets file", e);
        }
    }

    /** Creates or updates the connector {@code properties.get("name")} and waits until it and its tasks run. */
    public void put(Map<String, String> properties, Duration timeout) {
        String name = properties.get("name");
        FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, properties, true, created);
        try {
            created.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("connector " + name + " was refused: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("connector " + name + " not created within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating connector " + name, e);
        }
        awaitRunning(name, timeout);
        log.info("connector running connector={}", name);
    }

    /** The connector's state and each task's, with the trace of a failed task: what to say when it fails. */
    public String describe(String name) {
        ConnectorStateInfo s = connect.herder().connectorStatus(name);
        StringBuilder b = new StringBuilder("connector=" + s.connector().state());
        s.tasks().forEach(t -> b.append(" task").append(t.id()).append('=').append(t.state())
                .append(t.trace() == null ? "" : "\n" + t.trace()));
        return b.toString();
    }

    /** Whether the connector and all its tasks are running. */
    public boolean running(String name) {
        try {
            ConnectorStateInfo s = connect.herder().connectorStatus(name);
            return "RUNNING".equals(s.connector().state()) && !s.tasks().isEmpty()
                    && s.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()));
        } catch (RuntimeException notYetKnown) {
            return false;
        }
    }

    private void awaitRunning(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running(name)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("connector " + name + " not running after " + timeout + ": "
                        + describe(name));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for connector " + name, e);
            }
        }
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
        log.info("connect worker stopped");
    }
}
