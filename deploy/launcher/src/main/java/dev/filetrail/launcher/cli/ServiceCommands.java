package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.QueryApi;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.IngestBridge;
import dev.filetrail.events.service.ServiceShell;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** One service per command, configured from environment variables (see the README), running until stopped. */
final class ServiceCommands {
    private ServiceCommands() {
    }

    @Command(name = "bridge", mixinStandardHelpOptions = true,
            description = "Runs the ingest bridge (SQS -> Kafka) from its environment variables.")
    static final class Bridge implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return ServiceShell.runUntilStopped(new IngestBridge(BridgeConfig.fromEnvironment()).start(), "bridge");
        }
    }

    @Command(name = "streams", mixinStandardHelpOptions = true,
            description = "Runs the metadata-streams topology from its environment variables.")
    static final class Streams implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return ServiceShell.runUntilStopped(new MetadataStreams(MetadataStreamsConfig.fromEnvironment()).start(),
                    "streams");
        }
    }

    @Command(name = "api", mixinStandardHelpOptions = true,
            description = "Runs the query API (HTTP server and projector) from its environment variables.")
    static final class Api implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return ServiceShell.runUntilStopped(new QueryApi(ApiConfig.fromEnvironment()).start(), "api");
        }
    }

    @Command(name = "projector", mixinStandardHelpOptions = true,
            description = "Runs only the projector (Kafka -> PostgreSQL read model) from the API's environment variables.")
    static final class ProjectorOnly implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            return ServiceShell.runUntilStopped(new ProjectorService(ApiConfig.fromEnvironment()).start(), "projector");
        }
    }
}
