package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code filetrail probe}, the container health check of the AWS stack, against a real HTTP server. */
class ProbeCommandTest {
    private HttpServer server;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ready", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
        server.createContext("/stuck", exchange -> answer(exchange, 503, "{\"status\":\"DOWN\",\"reason\":\"kafka\"}"));
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int probe(String path) {
        return FiletrailCommand.run(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), "probe",
                "http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void aReadyServiceExitsZero() {
        assertThat(probe("/ready")).isZero();
        assertThat(out.toString()).contains(" 200 ");
    }

    @Test
    void aServiceThatIsNotReadyExitsOneAndSaysWhy() {
        assertThat(probe("/stuck")).isEqualTo(1);
        assertThat(err.toString()).contains(" 503 ").contains("kafka");
    }

    @Test
    void noAnswerExitsOne() {
        int port = server.getAddress().getPort();
        server.stop(0);
        assertThat(FiletrailCommand.run(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), "probe",
                "--timeout", "PT1S", "http://127.0.0.1:" + port + "/ready")).isEqualTo(1);
        assertThat(err.toString()).contains("unreachable");
    }
}
