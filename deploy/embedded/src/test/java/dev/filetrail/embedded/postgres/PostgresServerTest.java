package dev.filetrail.embedded.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** A stopped server refuses connections and, started again, answers on the same port with the same data. */
class PostgresServerTest {

    @Test
    void aRestartKeepsPortAndData() throws SQLException {
        try (PostgresServer server = PostgresServer.start(0)) {
            int port = server.port();
            String url = server.createDatabaseNamed("restart_check");
            try (Connection c = connect(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (v text)");
                s.execute("INSERT INTO kept VALUES ('before the outage')");
            }

            server.stop();
            assertThatThrownBy(() -> connect(url).close()).isInstanceOf(SQLException.class);

            server.restart();
            assertThat(server.port()).isEqualTo(port);
            try (Connection c = connect(url); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT v FROM kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("before the outage");
            }
        }
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
    }
}
