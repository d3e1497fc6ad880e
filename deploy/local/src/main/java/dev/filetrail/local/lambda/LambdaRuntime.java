package dev.filetrail.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack's AWS Lambda: runs registered handlers in this JVM, invoked asynchronously as SNS invokes
 * Lambda, with the event JSON turned into {@link SNSEvent} by the same serializer the Lambda Java runtime uses,
 * and retried twice on failure as Lambda retries asynchronous invocations.
 */
public final class LambdaRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LambdaRuntime.class);
    private static final int ASYNC_RETRIES = 2;

    private final String region;
    private final String accountId;
    private final Map<String, RequestHandler<SNSEvent, ?>> functions = new ConcurrentHashMap<>();
    private final PojoSerializer<SNSEvent> serializer;
    private final ExecutorService executor;
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    public LambdaRuntime(String region, String accountId, int concurrency) {
        this.region = region;
        this.accountId = accountId;
        this.serializer = LambdaEventSerializers.serializerFor(SNSEvent.class, LambdaRuntime.class.getClassLoader());
        this.executor = Executors.newFixedThreadPool(concurrency, r -> new Thread(r, "lambda-invoke"));
    }

    public String functionArn(String functionName) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + functionName;
    }

    /** Registers a handler under a function name; returns its ARN, for an SNS subscription. */
    public String register(String functionName, RequestHandler<SNSEvent, ?> handler) {
        String arn = functionArn(functionName);
        functions.put(arn, handler);
        return arn;
    }

    /** Whether a function is registered under {@code functionArn}. */
    public boolean has(String functionArn) {
        return functions.containsKey(functionArn);
    }

    /** Invokes the function behind {@code functionArn} with {@code eventJson}, later, on a Lambda thread. */
    public void invokeAsync(String functionArn, String eventJson) {
        RequestHandler<SNSEvent, ?> handler = functions.get(functionArn);
        if (handler == null) {
            log.error("lambda invocation for unknown function arn={}", functionArn);
            return;
        }
        pending.incrementAndGet();
        executor.execute(() -> {
            try {
                invoke(functionArn, handler, eventJson);
            } finally {
                pending.decrementAndGet();
            }
        });
    }

    private void invoke(String functionArn, RequestHandler<SNSEvent, ?> handler, String eventJson) {
        String name = functionArn.substring(functionArn.lastIndexOf(':') + 1);
        for (int attempt = 0; attempt <= ASYNC_RETRIES; attempt++) {
            String requestId = UUID.randomUUID().toString();
            try {
                SNSEvent event = serializer.fromJson(eventJson);
                handler.handleRequest(event, new LocalLambdaContext(name, functionArn, requestId));
                invocations.incrementAndGet();
                return;
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                log.warn("lambda invocation failed function={} requestId={} attempt={}", name, requestId, attempt + 1, e);
            }
        }
        log.error("lambda invocation dropped after retries function={}", name);
    }

    public long invocations() {
        return invocations.get();
    }

    public long failures() {
        return failures.get();
    }

    /** Invocations accepted and not finished yet (queued or running): 0 when the Lambdas have no work left. */
    public long pending() {
        return pending.get();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
