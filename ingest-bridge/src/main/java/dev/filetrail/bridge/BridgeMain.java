package dev.filetrail.bridge;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the ingest bridge from environment variables until the JVM is asked to stop. */
public final class BridgeMain {
    private static final Logger log = LoggerFactory.getLogger(BridgeMain.class);

    private BridgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        BridgeConfig config = BridgeConfig.fromEnvironment();
        IngestBridge bridge = new IngestBridge(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutdown requested, finishing in-flight batches");
            bridge.close();
            stopped.countDown();
        }, "bridge-shutdown"));
        bridge.start();
        stopped.await();
    }
}
