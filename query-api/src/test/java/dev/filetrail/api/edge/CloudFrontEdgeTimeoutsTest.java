package dev.filetrail.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ApiFixture;
import dev.filetrail.api.urls.CloudFrontKeyPair;
import dev.filetrail.api.urls.CloudFrontSigner;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;

/** The local edge against real sockets that stall: they hold no thread, and its timeouts close them. */
@ExtendWith(RealParts.class)
class CloudFrontEdgeTimeoutsTest {
    static final int BIG = 24 * 1024 * 1024;
    static EmbeddedS3 s3;
    static String bucket;
    static String smallVersion;
    static String bigVersion;
    static CloudFrontKeyPair keyPair = CloudFrontKeyPair.generate(ApiConfig.LOCAL_KEY_PAIR_ID);
    static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stalled-socket-reader");
        t.setDaemon(true);
        return t;
    });
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void objects(EmbeddedS3 embedded) {
        s3 = embedded;
        bucket = "edge-timeouts-" + Long.toHexString(System.nanoTime()).substring(6);
        s3.createVersionedBucket(bucket);
        byte[] big = new byte[BIG];
        new Random(7).nextBytes(big);
        try (var client = s3.client()) {
            smallVersion = client.putObject(b -> b.bucket(bucket).key("docs/small.txt").contentType("text/plain"),
                    RequestBody.fromString("0123456789abcdef")).versionId();
            bigVersion = client.putObject(b -> b.bucket(bucket).key("big.bin"), RequestBody.fromBytes(big)).versionId();
        }
    }

    private CloudFrontEdge edge(Duration read, Duration idle) {
        return new CloudFrontEdge(0, null, Map.of(keyPair.keyPairId(), keyPair.publicKey()), s3.client(), bucket,
                bucket + "-derivatives", new CloudFrontEdge.Timeouts(read, idle)).start();
    }

    private static String signed(CloudFrontEdge edge, String key, String versionId) {
        return new CloudFrontSigner(edge.url(), keyPair).sourceVersion(key, versionId, Duration.ofMinutes(5)).url();
    }

    private HttpResponse<String> get(String url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] request(URI uri, CloudFrontEdge edge, String headers) {
        return ("GET " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: 127.0.0.1:" + edge.port()
                + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Socket connect(CloudFrontEdge edge) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", edge.port()), 5000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /**
     * Reads, in the background and only after {@code startAfter} is done, to the end: completes with the bytes
     * that came before the server closed (or reset) the connection, or with -1 when it was never closed.
     */
    private static CompletableFuture<Long> closed(Socket socket, CompletableFuture<?> startAfter) {
        return startAfter.thenApplyAsync(ignored -> {
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = socket.getInputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    total += n;
                }
            } catch (SocketTimeoutException never) {
                return -1L;
            } catch (SocketException reset) {
                // a reset is a close too
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return total;
        }, READERS);
    }

    private static void awaitAll(String what, List<CompletableFuture<Long>> futures) {
        ApiFixture.await(what, () -> futures.stream().allMatch(CompletableFuture::isDone));
    }

    @Test
    void silentAndHalfSentConnectionsHoldNoThreadAndTheIdleTimeoutClosesThem() throws Exception {
        try (CloudFrontEdge edge = edge(Duration.ofSeconds(60), Duration.ofSeconds(1))) {
            List<Socket> stalled = new ArrayList<>();
            // More stalled connections than the edge has threads (32).
            for (int i = 0; i < 40; i++) {
                Socket socket = connect(edge);
                if (i % 2 == 1) {
                    socket.getOutputStream().write("GET /docs/small.txt HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
                }
                stalled.add(socket);
            }
            ApiFixture.await("40 stalled connections accepted", () -> edge.openConnections() >= 40);

            HttpResponse<String> served = get(signed(edge, "docs/small.txt", smallVersion), null);
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(served.body()).isEqualTo("0123456789abcdef");

            List<CompletableFuture<Long>> closings = stalled.stream()
                    .map(socket -> closed(socket, CompletableFuture.completedFuture(null))).toList();
            awaitAll("stalled connections closed by the idle timeout", closings);
            for (int i = 0; i < stalled.size(); i++) {
                assertThat(closings.get(i).get()).as("closed by the edge (-1: never), nothing answered").isZero();
                stalled.get(i).close();
            }
        }
    }

    @Test
    void aTricklingRequestHeadIsCutOffByTheReadTimeoutWhileOthersAreServed() throws Exception {
        try (CloudFrontEdge edge = edge(Duration.ofMillis(500), Duration.ofSeconds(60));
             Socket trickler = connect(edge)) {
            OutputStream out = trickler.getOutputStream();
            byte[] head = ("GET /docs/small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
                    + "a".repeat(4000)).getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<Long> closing = closed(trickler, CompletableFuture.completedFuture(null));
            int sent = 0;
            // One byte every 50 ms never leaves the connection idle, so only the read timeout can end it.
            while (sent < head.length && !closing.isDone()) {
                try {
                    out.write(head[sent++]);
                    out.flush();
                } catch (SocketException e) {
                    break;
                }
                if (sent == 20) {
                    HttpResponse<String> served = get(signed(edge, "docs/small.txt", smallVersion), null);
                    assertThat(served.statusCode()).isEqualTo(200);
                }
                Thread.sleep(50);
            }
            assertThat(sent).as("the edge closed the trickling connection before its head was complete")
                    .isLessThan(head.length);
            awaitAll("the trickling connection closed", List.of(closing));
            assertThat(closing.get()).as("closed by the edge (-1: never), nothing answered").isZero();
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAndDoesNotBlockOthers() throws Exception {
        try (CloudFrontEdge edge = edge(Duration.ofMillis(500), Duration.ofSeconds(60))) {
            URI uri = URI.create(signed(edge, "big.bin", bigVersion));
            List<Socket> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket socket = connect(edge);
                socket.getOutputStream().write(request(uri, edge, ""));
                readers.add(socket);
            }
            // Connection: close, so that afterwards only the stalled readers can hold a connection open.
            try (Socket other = connect(edge)) {
                other.getOutputStream().write(request(URI.create(signed(edge, "docs/small.txt", smallVersion)), edge,
                        "Connection: close\r\n"));
                String answer = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n0123456789abcdef");
            }

            // The readers stay stalled until the edge has given up on every one of them.
            CompletableFuture<Void> givenUp = CompletableFuture.runAsync(() -> ApiFixture.await(
                    "stalled readers cut off by the read timeout", () -> edge.openConnections() == 0), READERS);
            List<CompletableFuture<Long>> closings = readers.stream().map(socket -> closed(socket, givenUp)).toList();
            awaitAll("stalled readers drained", closings);
            givenUp.get();
            for (int i = 0; i < readers.size(); i++) {
                assertThat(closings.get(i).get()).as("closed by the edge (-1: never), short of the object")
                        .isBetween(0L, (long) BIG - 1);
                readers.get(i).close();
            }
        }
    }

    @Test
    void rangesAndHeadAreServedAsCloudFrontDoes() throws Exception {
        try (CloudFrontEdge edge = edge(Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            String url = signed(edge, "docs/small.txt", smallVersion);
            HttpResponse<String> part = get(url, "bytes=2-5");
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.body()).isEqualTo("2345");
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 2-5/16");
            HttpResponse<String> tail = get(url, "bytes=-3");
            assertThat(tail.body()).isEqualTo("def");
            HttpResponse<String> whole = get(url, "bytes=0-3,6-7");
            assertThat(whole.statusCode()).as("multiple ranges are answered whole").isEqualTo(200);
            assertThat(whole.body()).isEqualTo("0123456789abcdef");

            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(url))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue("16");
            assertThat(head.body()).isEmpty();
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.body()).contains("<Code>MethodNotAllowed</Code>");
        }
    }
}
