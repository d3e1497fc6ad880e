package dev.filetrail.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SNSEvent;
import dev.filetrail.embedded.LocalAws;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The local Lambda API as the real {@code LambdaClient} sees it: Invoke by name or ARN, and Lambda's errors. */
class LambdaApiTest {
    private static final String EVENT = "{\"Records\":[{\"EventSource\":\"aws:sns\",\"EventVersion\":\"1.0\","
            + "\"Sns\":{\"Type\":\"Notification\",\"MessageId\":\"m-1\",\"Message\":\"hello\"}}]}";

    @Test
    void asynchronousInvokesRunTheFunctionAndEverythingElseIsRefusedAsLambdaRefusesIt() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        RequestHandler<SNSEvent, Void> handler = (event, context) -> {
            handled.add(context.getFunctionName() + ":" + event.getRecords().get(0).getSNS().getMessage());
            return null;
        };
        try (LambdaRuntime runtime = new LambdaRuntime(LocalAws.REGION.id(), LocalAws.ACCOUNT_ID, 1);
             LambdaApi api = new LambdaApi(0, runtime).start();
             LambdaClient lambda = LambdaClient.builder().region(LocalAws.REGION)
                     .credentialsProvider(LocalAws.credentials()).httpClient(UrlConnectionHttpClient.create())
                     .endpointOverride(URI.create(api.endpoint())).build()) {
            String arn = runtime.register("echo", handler);

            assertThat(lambda.invoke(b -> b.functionName("echo").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(EVENT))).statusCode()).isEqualTo(202);
            assertThat(lambda.invoke(b -> b.functionName(arn).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(EVENT))).statusCode()).isEqualTo(202);
            assertThat(lambda.invoke(b -> b.functionName("echo").invocationType(InvocationType.DRY_RUN))
                    .statusCode()).isEqualTo(204);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (handled.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(handled).containsExactly("echo:hello", "echo:hello");
            assertThat(api.received("echo")).containsExactly(EVENT, EVENT);

            assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("nobody").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(EVENT))))
                    .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("function:nobody");
            assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("echo").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("not json"))))
                    .isInstanceOf(InvalidRequestContentException.class);
            assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("echo").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("\"" + "x".repeat(300 * 1024) + "\""))))
                    .isInstanceOf(RequestTooLargeException.class);
            assertThatThrownBy(() -> lambda.invoke(b -> b.functionName("echo")
                    .invocationType(InvocationType.REQUEST_RESPONSE).payload(SdkBytes.fromUtf8String(EVENT))))
                    .isInstanceOf(InvalidParameterValueException.class);
            assertThat(api.received("echo")).as("refused invocations are not kept").hasSize(2);
            assertThat(handled).hasSize(2);
        }
    }
}
