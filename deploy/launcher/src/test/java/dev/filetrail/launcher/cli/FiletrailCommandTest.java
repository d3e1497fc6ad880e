package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiletrailCommandTest {

    @Test
    void helpListsEveryServiceAndOpsCommandButNoLocalEmulation() {
        StringWriter out = new StringWriter();
        PrintWriter writer = new PrintWriter(out, true);
        assertThat(FiletrailCommand.run(Map.of(), writer, writer, "--help")).isZero();
        assertThat(FiletrailCommand.commandLine(Map.of()).getSubcommands())
                .containsKeys("bridge", "streams", "api", "projector", "backfill", "replay", "rebuild", "reconcile",
                        "dlq", "rejects", "keys", "topics", "probe", "migrate", "smoke", "reprocess")
                .doesNotContainKeys("local", "chaos");
        assertThat(out.toString()).contains("bridge", "projector", "reconcile", "Exit codes:");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        assertThat(FiletrailCommand.run(Map.of(), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true), "local")).isEqualTo(2);
        assertThat(err.toString()).contains("local");
    }
}
