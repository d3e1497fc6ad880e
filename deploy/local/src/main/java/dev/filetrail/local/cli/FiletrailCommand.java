package dev.filetrail.local.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code filetrail} launcher: runs the local stack, each service, and every operator command. */
@Command(name = "filetrail", mixinStandardHelpOptions = true, version = "filetrail 0.1.0",
        description = "Filetrail: event-sourced metadata for versioned S3 buckets.",
        subcommands = {
                LocalCommand.class,
                ServiceCommands.Bridge.class,
                ServiceCommands.Streams.class,
                ServiceCommands.Api.class,
                ServiceCommands.ProjectorOnly.class,
                CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the command failed (the message says why)",
                "2:invalid command line",
                "3:the command found differences or failures it did not repair"})
public final class FiletrailCommand {
    /** Exit code for a check that found problems (reconcile without --repair, redrive with failures). */
    public static final int FOUND_DIFFERENCES = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new FiletrailCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("filetrail: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
