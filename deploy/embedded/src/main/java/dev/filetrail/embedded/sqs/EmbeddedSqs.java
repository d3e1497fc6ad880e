package dev.filetrail.embedded.sqs;

import dev.filetrail.embedded.FreePort;
import dev.filetrail.embedded.LocalAws;
import java.net.URI;
import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** A real SQS-compatible server (ElasticMQ) on loopback. */
public final class EmbeddedSqs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSqs.class);

    private final SQSRestServer server;
    private final URI endpoint;

    private EmbeddedSqs(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts ElasticMQ on {@code port} (0 picks a free one). */
    public static EmbeddedSqs start(int port) {
        int chosen = FreePort.orFree(port);
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("127.0.0.1")
                .withPort(chosen)
                .withServerAddress(new NodeAddress("http", "127.0.0.1", chosen, ""))
                .withAWSRegion(LocalAws.REGION.id())
                .withAWSAccountId(LocalAws.ACCOUNT_ID)
                .start();
        server.waitUntilStarted();
        URI endpoint = URI.create("http://127.0.0.1:" + chosen);
        log.info("sqs server started endpoint={}", endpoint);
        return new EmbeddedSqs(server, endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }

    public SqsClient client() {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Creates {@code name} with a dead-letter queue {@code name-dlq} after {@code maxReceives}; returns its URL. */
    public String createQueueWithDlq(String name, int maxReceives, int visibilityTimeoutSeconds) {
        try (SqsClient sqs = client()) {
            String dlqUrl = sqs.createQueue(b -> b.queueName(name + "-dlq")).queueUrl();
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceives + "\"}";
            return sqs.createQueue(b -> b.queueName(name).attributes(Map.of(
                    QueueAttributeName.REDRIVE_POLICY, redrive,
                    QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(visibilityTimeoutSeconds)))).queueUrl();
        }
    }

    @Override
    public void close() {
        server.stopAndWait();
    }
}
