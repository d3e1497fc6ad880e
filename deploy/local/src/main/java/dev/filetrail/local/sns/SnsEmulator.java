package dev.filetrail.local.sns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.filetrail.local.lambda.LambdaRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The local stack's Amazon SNS: enough of the SNS Query API for the real {@code SnsClient} (CreateTopic,
 * Subscribe, Publish, ListTopics, ListSubscriptionsByTopic, SetSubscriptionAttributes, Unsubscribe), delivering
 * every message to its SQS subscribers in SNS's envelope (or raw) and invoking its Lambda subscribers in process.
 */
public final class SnsEmulator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SnsEmulator.class);
    private static final String XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

    private final String region;
    private final String accountId;
    private final SqsClient sqs;
    private final LambdaRuntime lambdas;
    private final HttpServer server;
    private final SnsEnvelopes envelopes;
    private final Map<String, List<Subscription>> topics = new ConcurrentHashMap<>();
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();
    // One thread keeps deliveries to queues in publish order, which S3's own notifications roughly are.
    private final AtomicLong pendingDeliveries = new AtomicLong();
    private final ExecutorService queueDelivery = Executors.newSingleThreadExecutor(r -> new Thread(r, "sns-sqs-delivery"));

    public SnsEmulator(int port, String region, String accountId, SqsClient sqs, LambdaRuntime lambdas) {
        this.region = region;
        this.accountId = accountId;
        this.sqs = sqs;
        this.lambdas = lambdas;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new IllegalStateException("SNS emulator cannot listen on port " + port, e);
        }
        this.envelopes = new SnsEnvelopes(endpoint());
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> new Thread(r, "sns-http")));
    }

    public SnsEmulator start() {
        server.start();
        log.info("sns emulator started endpoint={}", endpoint());
        return this;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public SnsEnvelopes envelopes() {
        return envelopes;
    }

    public String topicArn(String name) {
        return "arn:aws:sns:" + region + ":" + accountId + ":" + name;
    }

    public String createTopic(String name) {
        String arn = topicArn(name);
        topics.computeIfAbsent(arn, k -> new CopyOnWriteArrayList<>());
        return arn;
    }

    public Subscription subscribe(String topicArn, String protocol, String endpoint, boolean rawDelivery) {
        List<Subscription> subscriptions = topics.get(topicArn);
        if (subscriptions == null) {
            throw new SnsException("NotFound", "Topic does not exist: " + topicArn);
        }
        if (!protocol.equals("sqs") && !protocol.equals("lambda")) {
            throw new SnsException("InvalidParameter", "Invalid parameter: Protocol " + protocol
                    + " (the local SNS delivers to sqs and lambda)");
        }
        for (Subscription existing : subscriptions) {
            if (existing.protocol().equals(protocol) && existing.endpoint().equals(endpoint)) {
                return existing;
            }
        }
        Subscription subscription = new Subscription(topicArn + ":" + UUID.randomUUID(), topicArn, protocol, endpoint,
                rawDelivery);
        subscriptions.add(subscription);
        log.info("sns subscription created topic={} protocol={} endpoint={} raw={}", topicArn, protocol, endpoint,
                rawDelivery);
        return subscription;
    }

    /** Publishes and delivers asynchronously, as SNS does; returns the MessageId. */
    public String publish(String topicArn, String subject, String message, Map<String, String> attributes) {
        List<Subscription> subscriptions = topics.get(topicArn);
        if (subscriptions == null) {
            throw new SnsException("NotFound", "Topic does not exist: " + topicArn);
        }
        if (message == null || message.isEmpty()) {
            throw new SnsException("InvalidParameter", "Invalid parameter: Empty message");
        }
        if (message.getBytes(StandardCharsets.UTF_8).length > 256 * 1024) {
            throw new SnsException("InvalidParameter", "Invalid parameter: Message too long");
        }
        SnsMessage published = new SnsMessage(UUID.randomUUID().toString(), topicArn, subject, message, Instant.now(),
                Map.copyOf(attributes));
        for (Subscription subscription : subscriptions) {
            deliver(published, subscription);
        }
        return published.messageId();
    }

    private void deliver(SnsMessage message, Subscription subscription) {
        if (subscription.protocol().equals("lambda")) {
            lambdas.invokeAsync(subscription.endpoint(), envelopes.lambdaEvent(message, subscription));
            return;
        }
        String body = subscription.rawDelivery() ? message.message() : envelopes.sqsEnvelope(message, subscription);
        pendingDeliveries.incrementAndGet();
        queueDelivery.execute(() -> {
            try {
                sendWithRetry(subscription, message, body);
            } finally {
                pendingDeliveries.decrementAndGet();
            }
        });
    }

    private void sendWithRetry(Subscription subscription, SnsMessage message, String body) {
        // SNS retries delivery to SQS for days; three backed-off tries are plenty for a loopback queue.
        for (int attempt = 1; ; attempt++) {
            try {
                String queueUrl = queueUrls.computeIfAbsent(subscription.endpoint(), this::queueUrlOf);
                sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
                return;
            } catch (RuntimeException e) {
                if (attempt >= 3) {
                    log.error("sns delivery failed messageId={} subscription={}", message.messageId(),
                            subscription.arn(), e);
                    return;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Deliveries to SQS accepted and not finished yet: 0 when nothing published is still on its way to a queue. */
    public long pendingDeliveries() {
        return pendingDeliveries.get();
    }

    private String queueUrlOf(String queueArn) {
        String name = queueArn.substring(queueArn.lastIndexOf(':') + 1);
        return sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
    }

    public List<Subscription> subscriptions(String topicArn) {
        return List.copyOf(topics.getOrDefault(topicArn, List.of()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().endsWith(".pem")) {
                respond(exchange, 200, "application/x-pem-file", envelopes.publicKeyPem());
                return;
            }
            Map<String, String> params = new TreeMap<>(parseForm(exchange.getRequestURI().getRawQuery()));
            if ("POST".equals(exchange.getRequestMethod())) {
                params.putAll(parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            }
            String action = params.getOrDefault("Action", "");
            String requestId = UUID.randomUUID().toString();
            try {
                String result = switch (action) {
                    case "CreateTopic" -> "<TopicArn>" + xml(createTopic(required(params, "Name"))) + "</TopicArn>";
                    case "Subscribe" -> "<SubscriptionArn>" + xml(subscribe(params).arn()) + "</SubscriptionArn>";
                    case "Publish" -> "<MessageId>" + xml(publish(required(params, "TopicArn"), params.get("Subject"),
                            params.get("Message"), messageAttributes(params))) + "</MessageId>";
                    case "ListTopics" -> listTopics();
                    case "ListSubscriptionsByTopic" -> listSubscriptions(required(params, "TopicArn"));
                    case "SetSubscriptionAttributes" -> setSubscriptionAttributes(params);
                    case "Unsubscribe" -> unsubscribe(required(params, "SubscriptionArn"));
                    default -> throw new SnsException("InvalidAction", "The action " + action + " is not valid for this endpoint.");
                };
                respond(exchange, 200, "text/xml", "<" + action + "Response xmlns=\"" + XMLNS + "\"><" + action + "Result>"
                        + result + "</" + action + "Result><ResponseMetadata><RequestId>" + requestId
                        + "</RequestId></ResponseMetadata></" + action + "Response>");
            } catch (SnsException e) {
                int status = e.code().equals("NotFound") ? 404 : 400;
                respond(exchange, status, "text/xml", "<ErrorResponse xmlns=\"" + XMLNS + "\"><Error><Type>Sender</Type><Code>"
                        + e.code() + "</Code><Message>" + xml(e.getMessage()) + "</Message></Error><RequestId>" + requestId
                        + "</RequestId></ErrorResponse>");
            }
        } catch (RuntimeException e) {
            log.error("sns emulator request failed", e);
        }
    }

    private Subscription subscribe(Map<String, String> params) {
        Map<String, String> attributes = entries(params, "Attributes.entry.", "key", "value");
        return subscribe(required(params, "TopicArn"), required(params, "Protocol"), required(params, "Endpoint"),
                "true".equalsIgnoreCase(attributes.get("RawMessageDelivery")));
    }

    private String setSubscriptionAttributes(Map<String, String> params) {
        String arn = required(params, "SubscriptionArn");
        String name = required(params, "AttributeName");
        for (List<Subscription> subscriptions : topics.values()) {
            for (int i = 0; i < subscriptions.size(); i++) {
                Subscription subscription = subscriptions.get(i);
                if (subscription.arn().equals(arn)) {
                    if (name.equals("RawMessageDelivery")) {
                        subscriptions.set(i, subscription.withRawDelivery("true".equalsIgnoreCase(params.get("AttributeValue"))));
                    }
                    return "";
                }
            }
        }
        throw new SnsException("NotFound", "Subscription does not exist: " + arn);
    }

    private String unsubscribe(String arn) {
        topics.values().forEach(subscriptions -> subscriptions.removeIf(s -> s.arn().equals(arn)));
        return "";
    }

    private String listTopics() {
        StringBuilder xml = new StringBuilder("<Topics>");
        topics.keySet().stream().sorted().forEach(arn -> xml.append("<member><TopicArn>").append(xml(arn)).append("</TopicArn></member>"));
        return xml.append("</Topics>").toString();
    }

    private String listSubscriptions(String topicArn) {
        StringBuilder xml = new StringBuilder("<Subscriptions>");
        for (Subscription s : subscriptions(topicArn)) {
            xml.append("<member><TopicArn>").append(xml(s.topicArn())).append("</TopicArn><Protocol>").append(s.protocol())
                    .append("</Protocol><SubscriptionArn>").append(xml(s.arn())).append("</SubscriptionArn><Owner>")
                    .append(accountId).append("</Owner><Endpoint>").append(xml(s.endpoint())).append("</Endpoint></member>");
        }
        return xml.append("</Subscriptions>").toString();
    }

    private static Map<String, String> messageAttributes(Map<String, String> params) {
        Map<String, String> names = entries(params, "MessageAttributes.entry.", "Name", "Value.StringValue");
        return names;
    }

    /** Reads the Query API's numbered {@code prefix.N.key / prefix.N.value} pairs. */
    private static Map<String, String> entries(Map<String, String> params, String prefix, String keyName, String valueName) {
        Map<String, String> result = new LinkedHashMap<>();
        for (int n = 1; params.containsKey(prefix + n + "." + keyName); n++) {
            result.put(params.get(prefix + n + "." + keyName), params.get(prefix + n + "." + valueName));
        }
        return result;
    }

    private static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            throw new SnsException("InvalidParameter", "Invalid parameter: " + name + " is required");
        }
        return value;
    }

    private static Map<String, String> parseForm(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        if (form == null || form.isEmpty()) {
            return params;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        queueDelivery.shutdown();
        try {
            queueDelivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** An SNS error with its Query API error code. */
    static final class SnsException extends RuntimeException {
        private final String code;

        SnsException(String code, String message) {
            super(message);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}
