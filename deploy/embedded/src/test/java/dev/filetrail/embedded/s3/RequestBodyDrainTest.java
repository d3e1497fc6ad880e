package dev.filetrail.embedded.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.LocalAws;
import dev.filetrail.embedded.junit.RealParts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * An upload whose trailing checksum reaches the server late — as on a loaded machine, where the SDK writes the
 * trailer after s3proxy has read the last data chunk — is answered on a connection that stays open, so the SDK
 * never retries a stored PUT into a second version.
 */
@ExtendWith(RealParts.class)
class RequestBodyDrainTest {

    @Test
    void aChecksumTrailerThatArrivesLateStillGetsTheAnswerAndOneVersion(EmbeddedS3 s3) throws Exception {
        String bucket = "drain-" + UUID.randomUUID();
        s3.createVersionedBucket(bucket);
        try (TrailerDelayingRelay relay = new TrailerDelayingRelay(s3.endpoint().getPort(), 400);
             S3Client client = S3Client.builder()
                     .endpointOverride(URI.create("http://127.0.0.1:" + relay.port()))
                     .region(LocalAws.REGION)
                     .credentialsProvider(LocalAws.credentials())
                     .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                     .httpClient(UrlConnectionHttpClient.create())
                     // One attempt: a connection closed under the writer must show as an error, not as a retry.
                     .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)))
                     .build()) {
            for (int i = 0; i < 3; i++) {
                String key = "late-trailer-" + i;
                client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("body of " + key));
            }
            assertThat(relay.delayedTrailers()).as("the relay held back a trailer each time").isEqualTo(3);
            // A server that stops reading at the last chunk closes the connection under the writer (which, without
            // the relay's buffer in between, is the SDK's "Error writing request body" and a retried PUT).
            assertThat(relay.refusedWrites()).as("trailer bytes the server no longer took").isZero();
            assertThat(relay.connections()).as("one kept-alive connection for all three uploads").isEqualTo(1);
        }
        try (S3Client client = s3.client()) {
            var versions = client.listObjectVersions(b -> b.bucket(bucket)).versions();
            assertThat(versions).extracting(v -> v.key())
                    .containsExactlyInAnyOrder("late-trailer-0", "late-trailer-1", "late-trailer-2");
        }
    }

    /**
     * Forwards a client's bytes to the server, holding back what follows an {@code aws-chunked} body's last chunk
     * (the trailing checksum) for a while; answers flow back untouched. Counts the connections it opened to the
     * server and the request bytes the server would no longer take.
     */
    private static final class TrailerDelayingRelay implements AutoCloseable {
        private static final String LAST_CHUNK = "\r\n0;";
        private final ServerSocket listener;
        private final int serverPort;
        private final long delayMillis;
        private final AtomicInteger delayedTrailers = new AtomicInteger();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger refusedWrites = new AtomicInteger();

        TrailerDelayingRelay(int serverPort, long delayMillis) throws IOException {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.serverPort = serverPort;
            this.delayMillis = delayMillis;
            daemon(this::accept);
        }

        int port() {
            return listener.getLocalPort();
        }

        int delayedTrailers() {
            return delayedTrailers.get();
        }

        int connections() {
            return connections.get();
        }

        int refusedWrites() {
            return refusedWrites.get();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    connections.incrementAndGet();
                    daemon(() -> answers(server, client));
                    daemon(() -> requests(client, server));
                }
            } catch (IOException closed) {
                // The relay was closed.
            }
        }

        private void answers(Socket server, Socket client) {
            try (server; client) {
                server.getInputStream().transferTo(client.getOutputStream());
            } catch (IOException e) {
                // Either side closed: closing both ends tells the other side.
            }
        }

        private void requests(Socket client, Socket server) {
            try (client; server) {
                InputStream in = client.getInputStream();
                OutputStream out = server.getOutputStream();
                // Byte by byte, so that the last chunk's line is found wherever the reads split it.
                StringBuilder line = new StringBuilder();
                boolean inLastChunk = false;
                for (int b; (b = in.read()) >= 0; ) {
                    try {
                        out.write(b);
                    } catch (IOException refused) {
                        refusedWrites.incrementAndGet();
                        return;
                    }
                    line.append((char) b);
                    if (!inLastChunk && line.toString().endsWith(LAST_CHUNK)) {
                        inLastChunk = true;
                    } else if (inLastChunk && line.toString().endsWith("\r\n")) {
                        out.flush();
                        delayedTrailers.incrementAndGet();
                        Thread.sleep(delayMillis);
                        inLastChunk = false;
                    }
                    if (line.length() > 64) {
                        line.delete(0, line.length() - 8);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // Either side closed: closing both ends tells the other side.
            }
        }

        private static void daemon(Runnable body) {
            Thread thread = new Thread(body, "trailer-relay");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
