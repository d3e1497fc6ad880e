package dev.filetrail.local.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized chaos run: the services as processes of their own, each SIGKILLed and started again, the broker and
 * PostgreSQL restarted, notifications doubled and delivered late, while S3 is written to; afterwards nothing is
 * lost, doubled, misordered or parked, and reconcile finds no difference. The full-sized run is
 * {@code filetrail chaos} (README, Reliability).
 */
class ChaosRunTest {
    @TempDir
    Path output;

    @Test
    void nothingIsLostOrDoubledThroughKillsRestartsAndOddDeliveries() throws Exception {
        StringWriter printed = new StringWriter();
        ChaosReport report = new ChaosRun(new ChaosOptions(Duration.ofSeconds(45), 4, 7, 12, Duration.ofSeconds(180),
                output), new PrintWriter(printed, true)).run();

        assertThat(report.problems()).as(printed.toString()).isEmpty();
        assertThat(report.passed()).isTrue();
        assertThat(report.faults()).containsKeys("sigkill-bridge", "sigkill-streams", "sigkill-api",
                "kafka-broker-restart", "postgresql-restart");
        assertThat(report.operations().values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(20);
        assertThat(report.deliveries().get("duplicated")).isPositive();
        assertThat(report.deliveries().get("delayed")).isPositive();
        assertThat(report.versions()).isPositive();
        assertThat(report.lost()).isZero();
        assertThat(report.doubled()).isZero();
        assertThat(report.reconcile()).isZero();
        assertThat(Files.readString(output.resolve("chaos-report.json"))).contains("\"passed\" : true");
    }
}
