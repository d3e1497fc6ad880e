package dev.filetrail.embedded.postgres;

import dev.filetrail.embedded.FreePort;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real PostgreSQL server (zonky's embedded binaries from Maven Central) on loopback. */
public final class PostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres postgres;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /** Starts a server with an empty data directory on {@code port} (0 picks a free one). */
    public static PostgresServer start(int port) {
        try {
            PostgresServer server = new PostgresServer(Files.createTempDirectory("filetrail-pg-"), FreePort.orFree(port));
            server.postgres = server.launch();
            log.info("postgresql started port={}", server.port);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start", e);
        }
    }

    // The data directory is ours, not zonky's temporary one, so that a stopped server starts again with its data.
    private EmbeddedPostgres launch() throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "off")
                .start();
    }

    /** Stops the server, keeping its data directory and port, as an outage would. */
    public synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                log.warn("postgresql did not stop cleanly port={}", port, e);
            }
            postgres = null;
            log.info("postgresql stopped port={}", port);
        }
    }

    /** Starts the server again after {@link #stop()}, on the same port and data. */
    public synchronized void restart() {
        if (postgres == null) {
            try {
                postgres = launch();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start again on port " + port, e);
            }
            log.info("postgresql started again port={}", port);
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** Creates a new empty database with a unique name, so each test owns its tables. */
    public String createDatabase(String prefix) {
        String name = (prefix + "_" + databases.incrementAndGet()).toLowerCase().replaceAll("[^a-z0-9_]", "_");
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return jdbcUrl(name);
    }

    /** Creates a database with exactly this name (the local stack's {@code filetrail}); returns its JDBC URL. */
    public String createDatabaseNamed(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return jdbcUrl(name);
    }

    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> paths = Files.walk(dataDirectory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete postgresql data directory={}", dataDirectory, e);
        }
    }
}
