package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ProjectorService;
import dev.filetrail.api.QueryApi;
import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.IngestBridge;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.MetadataStreamsConfig;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** One service per command, configured from environment variables (see the README), running until stopped. */
final class ServiceCommands {
    private ServiceCommands() {
    }

    static int runUntilStopped(AutoCloseable service, String name) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println(name + " did not stop cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }, name + "-shutdown"));
        System.out.println(name + " running; SIGTERM or Ctrl-C stops it gracefully.");
        stopped.await();
        return 0;
    }

    @Command(name = "bridge", mixinStandardHelpOptions = true,
            description = "Runs the ingest bridge (SQS -> Kafka) from its environment variables.")
    static final class Bridge implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            IngestBridge bridge = new IngestBridge(BridgeConfig.fromEnvironment());
            bridge.start();
            return runUntilStopped(bridge, "bridge");
        }
    }

    @Command(name = "streams", mixinStandardHelpOptions = true,
            description = "Runs the metadata-streams topology from its environment variables.")
    static final class Streams implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            MetadataStreams streams = new MetadataStreams(MetadataStreamsConfig.fromEnvironment());
            streams.start();
            return runUntilStopped(streams, "streams");
        }
    }

    @Command(name = "api", mixinStandardHelpOptions = true,
            description = "Runs the query API (HTTP server and projector) from its environment variables.")
    static final class Api implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            QueryApi api = new QueryApi(ApiConfig.fromEnvironment());
            api.start();
            return runUntilStopped(api, "api");
        }
    }

    @Command(name = "projector", mixinStandardHelpOptions = true,
            description = "Runs only the projector (Kafka -> PostgreSQL read model) from the API's environment variables.")
    static final class ProjectorOnly implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            ProjectorService projector = new ProjectorService(ApiConfig.fromEnvironment()).start();
            return runUntilStopped(projector, "projector");
        }
    }
}
