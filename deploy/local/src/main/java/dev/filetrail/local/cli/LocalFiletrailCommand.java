package dev.filetrail.local.cli;

import dev.filetrail.launcher.cli.FiletrailCommand;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code filetrail} command on a developer's machine ({@code bash deploy/filetrail}): the production command tree
 * of {@link FiletrailCommand} plus {@code local} and {@code chaos}, which need the embedded parts the service image must not carry.
 */
public final class LocalFiletrailCommand {
    private LocalFiletrailCommand() {
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The production command tree with {@code local} and {@code chaos} added. */
    public static CommandLine commandLine(Map<String, String> env) {
        return FiletrailCommand.commandLine(env).addSubcommand(new LocalCommand()).addSubcommand(new ChaosCommand());
    }
}
