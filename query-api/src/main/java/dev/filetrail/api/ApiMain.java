package dev.filetrail.api;

import java.util.concurrent.CountDownLatch;

/** Runs the query API from environment variables until the process is stopped. */
public final class ApiMain {
    private ApiMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ApiConfig config = ApiConfig.fromEnvironment();
        QueryApi api = new QueryApi(config).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            stop.countDown();
        }, "query-api-shutdown"));
        stop.await();
    }
}
