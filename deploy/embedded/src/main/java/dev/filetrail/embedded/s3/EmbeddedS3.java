package dev.filetrail.embedded.s3;

import dev.filetrail.embedded.FreePort;
import dev.filetrail.embedded.LocalAws;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.lang.reflect.Field;
import java.net.URI;
import java.util.EnumSet;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * A real S3-compatible server: s3proxy with its in-memory store, the one that keeps versions. It checks SigV4
 * signatures, which the SDK's default request checksums require. Object tagging, which s3proxy lacks, is added by
 * {@link ObjectTagging}.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

    private final S3Proxy proxy;
    private final URI endpoint;
    private final ObjectTagging tagging;

    private EmbeddedS3(S3Proxy proxy, URI endpoint, ObjectTagging tagging) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.tagging = tagging;
    }

    /** Starts the server on {@code port} (0 picks a free one) with the local credentials. */
    public static EmbeddedS3 start(int port) {
        return start(port, UnaryOperator.identity());
    }

    /**
     * Starts the server with its store wrapped by {@code decorator}: the local stack wraps it to emit S3 event
     * notifications for every change, as S3 itself does.
     */
    public static EmbeddedS3 start(int port, UnaryOperator<BlobStore> decorator) {
        URI endpoint = URI.create("http://127.0.0.1:" + FreePort.orFree(port));
        ObjectTagging tagging = new ObjectTagging();
        BlobStore store = decorator.apply(tagging.wrap(new TransientNio2BlobStore()));
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(endpoint)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, LocalAws.ACCESS_KEY, LocalAws.SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        // The drain goes first so that it runs last, after every other filter and s3proxy have answered.
        installFilter(proxy, new RequestBodyDrain());
        installFilter(proxy, tagging.filter(store));
        try {
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("s3proxy did not start on " + endpoint, e);
        }
        log.info("s3 server started endpoint={}", endpoint);
        return new EmbeddedS3(proxy, endpoint, tagging);
    }

    /**
     * Puts {@code filter} in front of s3proxy's servlet. s3proxy builds its (shaded) Jetty server privately, so the
     * servlet context is reached by reflection, before the server starts; the filter itself is plain Jakarta.
     */
    private static void installFilter(S3Proxy proxy, Filter filter) {
        try {
            Field serverField = S3Proxy.class.getDeclaredField("server");
            serverField.setAccessible(true);
            Object handler = serverField.get(proxy);
            // Server -> GracefulHandler -> ServletContextHandler (s3proxy 4.x).
            while (handler != null && !handler.getClass().getSimpleName().equals("ServletContextHandler")) {
                handler = handler.getClass().getMethod("getHandler").invoke(handler);
            }
            if (handler == null) {
                throw new IllegalStateException("s3proxy has no servlet context to filter");
            }
            handler.getClass().getMethod("addFilter", Filter.class, String.class, EnumSet.class)
                    .invoke(handler, filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot add object tagging to s3proxy " + S3Proxy.class.getPackage()
                    .getImplementationVersion(), e);
        }
    }

    /** Object tagging, which this server adds to s3proxy: the tags it holds, and a hook for tagging changes. */
    public ObjectTagging tagging() {
        return tagging;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** An SDK client for this server: path-style addressing, local credentials. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(LocalAws.REGION)
                .credentialsProvider(LocalAws.credentials())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Creates a bucket with versioning enabled, as every Filetrail source bucket is. */
    public void createVersionedBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
            s3.putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            log.warn("s3proxy did not stop cleanly", e);
        }
    }
}
