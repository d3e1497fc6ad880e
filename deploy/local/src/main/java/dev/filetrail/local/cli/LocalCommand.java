package dev.filetrail.local.cli;

import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.Endpoints;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code filetrail local}: the whole system on this machine, until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = {"Starts the whole system locally on its embedded defaults: Kafka, PostgreSQL, S3, SQS,",
                "the SNS / S3-notification / Lambda / CloudFront emulation, the bridge, the streams and the API.",
                "Ports come from LOCAL_*_PORT variables (see the README); endpoints are printed and written to",
                "target/local-stack/endpoints.json under the working folder (or --output)."})
final class LocalCommand implements Callable<Integer> {
    @Option(names = "--demo", description = "Upload sample files (a new version and a delete among them) and print what the API answers.")
    boolean demo;

    @Option(names = "--output", description = "Folder for endpoints.json and local data (default: target/local-stack).")
    Path output;

    @Option(names = "--exit-after-demo", hidden = true, description = "Stop after the demo (used by tests).")
    boolean exitAfterDemo;

    /** How long other shutdown hooks may run once the stack is closed. */
    private static final long HOOK_GRACE_MS = 20_000;

    /**
     * Once the stack is closed nothing of ours is left to flush, but the JVM still waits for every other shutdown hook.
     * Kafka Connect's own hook (the embedded journal worker registers one) was seen once stuck forever in its REST
     * server's Jetty join after the worker had been stopped, so Ctrl-C never ended the process. A daemon watchdog
     * gives the other hooks {@code graceMs}, then names what still runs and halts with SIGTERM's status.
     */
    static void haltIfStillRunningAfter(long graceMs) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(graceMs);
            } catch (InterruptedException e) {
                return;
            }
            StringBuilder hooks = new StringBuilder();
            Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isDaemon() && t.isAlive())
                    .forEach(t -> hooks.append(' ').append(t.getName()));
            System.err.println("local stack closed " + graceMs + " ms ago, but the JVM is still waiting for:" + hooks
                    + "; halting");
            System.err.flush();
            Runtime.getRuntime().halt(143);
        }, "local-stack-halt-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        if (output != null) {
            env.put("LOCAL_OUTPUT_DIR", output.toString());
        }
        LocalStackConfig config = LocalStackConfig.fromEnvironment(env, Path.of("").toAbsolutePath());
        System.out.println("Starting the Filetrail local stack ...");
        LocalStack stack = LocalStack.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
            haltIfStillRunningAfter(HOOK_GRACE_MS);
        }, "local-stack-shutdown"));
        Endpoints endpoints = stack.endpoints();
        System.out.println();
        System.out.println("Filetrail is running:");
        endpoints.table().forEach((name, address) -> System.out.printf("  %-17s %s%n", name, address));
        System.out.println("  endpoints.json    " + config.outputDir().toAbsolutePath().resolve("endpoints.json"));
        System.out.println();
        if (demo) {
            new Demo(endpoints, System.out).run();
            System.out.println();
        }
        if (exitAfterDemo) {
            return 0;
        }
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
