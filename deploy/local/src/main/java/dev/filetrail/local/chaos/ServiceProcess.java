package dev.filetrail.local.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Filetrail service as a process of its own: the launcher's service command with that service's environment. */
public final class ServiceProcess implements AutoCloseable {
    /** The launcher's main class, the one place to repoint when the launcher moves to another module. */
    public static final String LAUNCHER_MAIN = "dev.filetrail.launcher.cli.FiletrailCommand";
    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);
    // The launcher's own logging (to stderr), also when a test's classpath holds a logback-test.xml before it.
    private static final String LOGGING = "-Dlogback.configurationFile=logback.xml";

    private final String command;
    private final Map<String, String> environment;
    private final Path logFile;
    private Process process;

    /** {@code command} is the launcher's service command ({@code bridge}, {@code streams}, {@code api}). */
    public ServiceProcess(String command, Map<String, String> environment, Path logDir) {
        this.command = command;
        this.environment = Map.copyOf(environment);
        this.logFile = logDir.resolve(command + ".log");
    }

    public String command() {
        return command;
    }

    /** Starts the process with this JVM's classpath; its output is appended to {@code <command>.log}. */
    public synchronized void start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", LOGGING, "-cp", System.getProperty("java.class.path"), LAUNCHER_MAIN, command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        log.info("service process started command={} pid={} log={}", command, process.pid(), logFile);
    }

    /** Runs one launcher command (an operator's, e.g. {@code reconcile}) to its end with {@code environment}. */
    public static OpsResult runCommand(Map<String, String> environment, Path logDir, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", LOGGING, "-cp",
                System.getProperty("java.class.path"), LAUNCHER_MAIN));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve("ops-commands.log").toFile()));
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new OpsResult(-1, out);
            }
            return new OpsResult(process.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("could not run filetrail " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or committed, as when a host dies. */
    public synchronized void kill() {
        if (process != null) {
            long pid = process.pid();
            process.destroyForcibly();
            waitFor(process);
            log.info("service process killed command={} pid={} signal=SIGKILL", command, pid);
            process = null;
        }
    }

    /**
     * Starts the process again if it exited on its own (as ECS starts a stopped task again); returns whether it
     * did. A service that cannot start while a part it needs is down exits, and this is how it comes back.
     */
    public synchronized boolean restartIfExited() {
        if (process != null && !process.isAlive()) {
            log.warn("service process exited command={} exitCode={}; starting it again", command, process.exitValue());
            start();
            return true;
        }
        return false;
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 30 s. */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            process = null;
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
