package dev.filetrail.local.cli;

import dev.filetrail.local.chaos.ChaosOptions;
import dev.filetrail.local.chaos.ChaosReport;
import dev.filetrail.local.chaos.ChaosRun;
import dev.filetrail.launcher.cli.FiletrailCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code filetrail chaos}: a bounded whole-pipeline chaos run on a stack of its own (see the README). */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Starts the parts in this JVM and the bridge, streams and API as processes of their own, "
                + "writes to S3 while killing each service with SIGKILL, restarting the Kafka broker and PostgreSQL "
                + "and delivering notifications twice or late; then waits for the stack to settle and checks the "
                + "API's history against S3, the dead letters, the rejects and filetrail reconcile. Writes "
                + "chaos-report.json. Exit 0 when nothing was lost, doubled or wrong, 3 otherwise."})
final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "120", description = "Seconds of writing and faults (default ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--rate", defaultValue = "10", description = "S3 operations per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generator and the relay (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--keys", defaultValue = "40", description = "Keys written to (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--settle-timeout", defaultValue = "180", description = "Seconds the stack may take to settle "
            + "after the last write (default ${DEFAULT-VALUE}).")
    long settleSeconds;

    @Option(names = "--out", defaultValue = "target/chaos", description = "Directory for the stack's data, the "
            + "service logs and chaos-report.json (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        PrintWriter printer = spec.commandLine().getOut();
        ChaosReport report = new ChaosRun(new ChaosOptions(Duration.ofSeconds(durationSeconds), rate, seed, keys,
                Duration.ofSeconds(settleSeconds), out), printer).run();
        printer.println(report.passed() ? "chaos: PASSED" : "chaos: FAILED " + report.problems());
        return report.passed() ? 0 : FiletrailCommand.FOUND_DIFFERENCES;
    }
}
