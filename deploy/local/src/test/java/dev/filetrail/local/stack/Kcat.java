package dev.filetrail.local.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's {@code kcat} (librdkafka), run as a user would from outside the JVM; {@code .ci/run} installs it. */
final class Kcat {
    /** What one run printed, and how it ended ({@code exit} is -1 when it was stopped at the time limit). */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit=" + exit + " stdout=" + out + " stderr=" + err;
        }
    }

    private Kcat() {
    }

    /**
     * The options that log in to the local stack's broker as one user from {@code endpoints.json}, with PLAIN:
     * Debian 12's kcat links librdkafka 2.0.2, whose SCRAM Kafka 4 refuses (fixed in librdkafka 2.6.1).
     */
    static List<String> login(Endpoints endpoints, String role) {
        Endpoints.User user = endpoints.kafkaSecurity().users().get(role);
        return List.of("-X", "security.protocol=" + endpoints.kafkaSecurity().protocol(),
                "-X", "sasl.mechanisms=PLAIN",
                "-X", "sasl.username=" + user.username(), "-X", "sasl.password=" + user.password());
    }

    static Result run(List<String> args, String stdin, Duration limit) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(args);
        Path out = Files.createTempFile("kcat-", ".out");
        Path err = Files.createTempFile("kcat-", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("kcat is not installed (bash .ci/run installs Debian's kcat)", e);
            }
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            int exit;
            if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = process.exitValue();
            } else {
                process.destroyForcibly().waitFor();
                exit = -1;
            }
            return new Result(exit, Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
