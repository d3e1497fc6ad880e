package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A shutdown hook that never returns cannot keep {@code filetrail local} alive once its own hook has run. */
class ShutdownWatchdogTest {

    @Test
    void aHookThatNeverReturnsIsNamedAndTheProcessHaltsWithSigtermsStatus() throws Exception {
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HangingShutdownHook.class.getName(), "500"))
                .redirectErrorStream(true).start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("the watchdog halted the JVM; output:%n%s", output).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(output).contains("hooks registered")
                .contains("local stack closed 500 ms ago, but the JVM is still waiting for:")
                .contains("stuck-library-hook").contains("halting");
    }
}
