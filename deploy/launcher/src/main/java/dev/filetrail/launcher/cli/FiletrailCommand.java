package dev.filetrail.launcher.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The production {@code filetrail} command (the service image's entrypoint): each service and every operator command.
 * {@code dev.filetrail.local.cli.LocalFiletrailCommand} adds {@code local} to this tree for a developer's machine.
 */
@Command(name = "filetrail", mixinStandardHelpOptions = true, version = "filetrail 0.1.0",
        description = "Filetrail: event-sourced metadata for versioned S3 buckets.",
        subcommands = {
                ServiceCommands.Bridge.class,
                ServiceCommands.Streams.class,
                ServiceCommands.Api.class,
                ServiceCommands.ProjectorOnly.class,
                BackfillCommand.class,
                ReplayCommand.class,
                SqlCommand.class,
                RebuildCommand.class,
                ReconcileCommand.class,
                RewindCommand.class,
                SnapshotsCommand.class,
                ReprocessCommand.class,
                DlqCommand.class,
                RejectsCommand.class,
                KeysCommand.class,
                TopicsCommand.class,
                JournalCommand.class,
                MigrateCommand.class,
                ProbeCommand.class,
                SmokeCommand.class,
                CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:the command failed (the message says why; for smoke: a check failed)",
                "2:invalid command line",
                "3:the command found differences or failures it did not repair (reconcile), or left some "
                        + "unresolved (dlq redrive, rejects retry)"})
public final class FiletrailCommand {
    /** Exit code for a check that found problems (reconcile without --repair, redrive with failures). */
    public static final int FOUND_DIFFERENCES = 3;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return commandLine(System.getenv()).execute(args);
    }

    /** Runs with {@code env} as the configuration and the given streams: how tests run commands in-process. */
    public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = commandLine(env);
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    /** The command tree, with every operator command reading its configuration from {@code env}. */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K instance = defaults.create(type);
                if (instance instanceof OpsCommand ops) {
                    ops.env = env;
                }
                return instance;
            }
        };
        return new CommandLine(new FiletrailCommand(), factory)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("filetrail: " + describe(e));
                    cmd.getErr().flush();
                    return 1;
                });
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        return message;
    }
}
