package dev.filetrail.launcher.cli;

import ch.qos.logback.classic.Level;
import dev.filetrail.events.Json;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every operator command shares: configuration from the same environment variables as the service it
 * operates on ({@link #env}, injected by the launcher so tests need not touch the process environment),
 * {@code --json} and {@code --progress}, the summary printer and the exit codes.
 */
abstract class OpsCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    /** The variables the command reads its configuration from; the process environment unless injected. */
    Map<String, String> env = System.getenv();

    /** {@code --json} and {@code --progress}/{@code --no-progress}. */
    static final class OutputOptions {
        @Option(names = "--json", description = "Print the summary as one JSON document on stdout; progress and "
                + "logs stay on stderr.")
        boolean json;

        @Option(names = "--progress", negatable = true, description = "Draw the progress bar on stderr even when it "
                + "is not a terminal (--progress), or never (--no-progress). Default: only on a terminal.")
        Boolean progress;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    boolean json() {
        return output != null && output.json;
    }

    /** A progress bar on stderr, drawn only on a terminal or when forced; quiets INFO logs while it draws. */
    ProgressBar progress(String label, long total, String unit) {
        boolean enabled = output != null && output.progress != null ? output.progress : System.console() != null;
        if (enabled && env.get("FILETRAIL_LOG_LEVEL") == null
                && LoggerFactory.getLogger("dev.filetrail") instanceof ch.qos.logback.classic.Logger logger) {
            // INFO lines would tear the bar apart; warnings still show.
            logger.setLevel(Level.WARN);
        }
        return new ProgressBar(err(), enabled, label, total, unit);
    }

    /** Prints the summary: one JSON document with {@code --json}, otherwise the human form. */
    void print(Object summary, Consumer<PrintWriter> human) {
        PrintWriter out = out();
        if (json()) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot write the summary as JSON", e);
            }
        } else {
            human.accept(out);
        }
        out.flush();
    }

    static double perSecond(long count, long nanos) {
        return nanos <= 0 ? 0 : count / (nanos / 1e9);
    }

    static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }
}
