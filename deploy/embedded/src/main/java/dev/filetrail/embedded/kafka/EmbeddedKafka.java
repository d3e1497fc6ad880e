package dev.filetrail.embedded.kafka;

import dev.filetrail.embedded.FreePort;
import dev.filetrail.events.kafka.KafkaAcls;
import dev.filetrail.events.kafka.KafkaClientSettings;
import dev.filetrail.events.kafka.KafkaRole;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker and controller in KRaft mode, in this JVM, from Kafka's own jars, on loopback.
 * Secured (the default) it is as strict as MSK: clients log in with SCRAM-SHA-512 over SASL_PLAINTEXT as one
 * user per {@link KafkaRole}, Kafka's {@code StandardAuthorizer} checks every request against the ACLs generated
 * from the role table, and what no ACL allows is refused. Open, it is a plain PLAINTEXT broker. It can be stopped
 * and started again on the same ports and log directory, to test a broker outage.
 */
public final class EmbeddedKafka implements KafkaCluster {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    /** The broker's own identity between its listeners; a super user, known only to this JVM. */
    private static final String BROKER_USER = "filetrail-broker";
    /** The broker's identity towards its controller (PLAIN: KRaft cannot check SCRAM before its log is read). */
    private static final String CONTROLLER_USER = "filetrail-controller";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final boolean deleteOnClose;
    private final boolean secured;
    private final String brokerPassword = password();
    private final String controllerPassword = password();
    private final Map<KafkaRole, String> passwords = new EnumMap<>(KafkaRole.class);
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, int brokerPort, int controllerPort, boolean deleteOnClose, boolean secured) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.deleteOnClose = deleteOnClose;
        this.secured = secured;
        for (KafkaRole role : KafkaRole.values()) {
            passwords.put(role, password());
        }
    }

    /** Formats a fresh log directory and starts a secured broker on {@code port} (0 picks a free one). */
    public static EmbeddedKafka start(int port) {
        try {
            return start(port, Files.createTempDirectory("filetrail-kafka-"), true, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Formats {@code logDir} (which must be empty or absent) and starts the broker there; {@code secured} creates
     * the role users and their ACLs before it returns.
     */
    public static EmbeddedKafka start(int port, Path logDir, boolean deleteOnClose, boolean secured) {
        EmbeddedKafka kafka = new EmbeddedKafka(logDir, FreePort.orFree(port), FreePort.pick(), deleteOnClose, secured);
        kafka.format();
        kafka.startServer();
        if (secured) {
            kafka.createRoleUsersAndAcls();
        }
        return kafka;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    @Override
    public boolean secured() {
        return secured;
    }

    /** SASL mechanisms the client listener accepts besides SCRAM-SHA-512 (for older librdkafka tools). */
    public List<String> alsoAcceptedMechanisms() {
        return secured ? List.of("PLAIN") : List.of();
    }

    @Override
    public KafkaClientSettings settings(KafkaRole role) {
        return secured ? KafkaClientSettings.scram(bootstrapServers(), role.wireName(), passwords.get(role))
                : KafkaClientSettings.plaintext(bootstrapServers());
    }

    public int port() {
        return brokerPort;
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "CLIENT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "CLIENT");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        if (secured) {
            securedListeners(p);
        } else {
            p.put("listener.security.protocol.map", "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
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

    /**
     * Clients (and the broker's own inter-broker requests, as its super user) log in with SCRAM-SHA-512 on the
     * client listener. The controller listener takes PLAIN with one user known only to this JVM, because a KRaft
     * controller cannot check SCRAM credentials that live in the log it serves; PLAINTEXT there would make an
     * anonymous loopback client the super user the broker needs to be on that listener.
     */
    private void securedListeners(Properties p) {
        p.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        // PLAIN beside SCRAM, same users and passwords, same ACLs: librdkafka before 2.6.1 (Debian 12's kcat) sends
        // a SCRAM nonce that Kafka 4 rightly refuses, and this broker only ever listens on loopback.
        p.put("listener.name.client.sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN");
        StringBuilder plainUsers = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        passwords.forEach((role, password) ->
                plainUsers.append(" user_").append(role.wireName()).append("=\"").append(password).append('"'));
        p.put("listener.name.client.plain.sasl.jaas.config", plainUsers.append(';').toString());
        p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + BROKER_USER
                        + "\" password=\"" + brokerPassword + "\";");
        p.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + CONTROLLER_USER
                        + "\" password=\"" + controllerPassword + "\" user_" + CONTROLLER_USER + "=\""
                        + controllerPassword + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + BROKER_USER + ";User:" + CONTROLLER_USER);
    }

    private void format() {
        try {
            Files.createDirectories(logDir);
            Path config = logDir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(config)) {
                serverProperties().store(out, "filetrail embedded kafka");
            }
            List<String> args = new ArrayList<>(List.of(
                    "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone"));
            if (secured) {
                // The broker's own SCRAM login must work before any client could create it.
                args.addAll(List.of("--add-scram",
                        "SCRAM-SHA-512=[name=" + BROKER_USER + ",password=" + brokerPassword + "]"));
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int code = StorageTool.execute(args.toArray(String[]::new), new PrintStream(output, true, StandardCharsets.UTF_8));
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
        log.info("kafka broker started bootstrap={} secured={} logDir={}", bootstrapServers(), secured, logDir);
    }

    /** One SCRAM user per role, with exactly the ACLs the role table gives it; returns once the broker applies them. */
    private void createRoleUsersAndAcls() {
        KafkaClientSettings superUser = KafkaClientSettings.scram(bootstrapServers(), BROKER_USER, brokerPassword);
        try (Admin admin = superUser.newAdmin()) {
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            for (KafkaRole role : KafkaRole.values()) {
                users.add(new UserScramCredentialUpsertion(role.wireName(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), passwords.get(role)));
                acls.addAll(KafkaAcls.bindings(role, role.wireName()));
            }
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            // Both are written by the controller and applied by the broker a moment later: wait until it has.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < acls.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not apply the role ACLs within 30 s");
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            for (KafkaRole role : KafkaRole.values()) {
                awaitLogin(settings(role), deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the role users", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the role users and ACLs: " + e.getMessage(), e);
        }
        log.info("kafka roles ready users={} bootstrap={}", passwords.keySet(), bootstrapServers());
    }

    private static void awaitLogin(KafkaClientSettings settings, long deadline) throws InterruptedException {
        while (true) {
            try (Admin admin = settings.newAdmin(Map.of("request.timeout.ms", 5000, "default.api.timeout.ms", 5000))) {
                admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("user " + settings.identity() + " cannot log in: " + e.getMessage(), e);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
    }

    private static String password() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
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
