package dev.filetrail.local.cli;

import java.util.concurrent.CountDownLatch;

/**
 * A JVM whose exit another shutdown hook holds forever, as Kafka Connect's once did, with the local stack's watchdog
 * armed by a hook of its own: run by {@link ShutdownWatchdogTest} as a child process.
 */
final class HangingShutdownHook {
    private HangingShutdownHook() {
    }

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stuck-library-hook"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalCommand.haltIfStillRunningAfter(
                Long.parseLong(args[0])), "local-stack-shutdown"));
        System.out.println("hooks registered");
        System.exit(0);
    }
}
