package dev.filetrail.streams;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the metadata-streams service from environment configuration until the JVM is asked to stop. */
public final class StreamsMain {
    private static final Logger log = LoggerFactory.getLogger(StreamsMain.class);

    private StreamsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MetadataStreamsConfig config = MetadataStreamsConfig.fromEnvironment();
        MetadataStreams service = new MetadataStreams(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping metadata streams applicationId={}", config.applicationId());
            service.close();
            stopped.countDown();
        }, "metadata-streams-shutdown"));
        service.start();
        stopped.await();
    }
}
