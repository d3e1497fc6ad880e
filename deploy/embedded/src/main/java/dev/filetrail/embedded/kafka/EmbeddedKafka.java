package dev.filetrail.embedded.kafka;

import dev.filetrail.embedded.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker and controller in KRaft mode, in this JVM, from Kafka's own jars, on loopback.
 * It can be stopped and started again on the same ports and log directory, to test a broker outage.
 */
public final class EmbeddedKafka implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final boolean deleteOnClose;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int brokerPort, int controllerPort, boolean deleteOnClose) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.deleteOnClose = deleteOnClose;
    }

    /** Formats a fresh log directory and starts the broker on {@code port} (0 picks a free one). */
    public static EmbeddedKafka start(int port) {
        try {
            return start(port, Files.createTempDirectory("filetrail-kafka-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Formats {@code logDir} (which must be empty or absent) and starts the broker there. */
    public static EmbeddedKafka start(int port, Path logDir, boolean deleteOnClose) {
        EmbeddedKafka kafka = new EmbeddedKafka(logDir, FreePort.orFree(port), FreePort.pick(), deleteOnClose);
        kafka.format();
        kafka.startServer();
        return kafka;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // A single broker: every internal topic must make do with one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        // Fewer internal partitions make the first consumer group and first transaction start in milliseconds.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        return p;
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            Path config = logDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                serverProperties().store(out, "filetrail embedded kafka");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int code = StorageTool.execute(new String[] {
                    "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"},
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new IllegalStateException("kafka-storage format failed: " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(serverProperties(), false), Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
        log.info("kafka broker started bootstrap={} logDir={}", bootstrapServers(), logDir);
    }

    /** Starts the broker again after {@link #stop()}, on the same ports and data. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    /** Stops the broker, keeping its data, as an outage would. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            log.info("kafka broker stopped bootstrap={}", bootstrapServers());
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteOnClose) {
            deleteTree(logDir);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}", root, e);
        }
    }
}
