package dev.filetrail.local.s3notify;

import java.io.InputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Wraps the local S3 server's store so that every change it makes is reported the way S3 reports it: an
 * {@link S3Change} with the new versionId, size, eTag and a sequencer that grows with each change. Changes are
 * serialised under one lock, so sequencer order is the order the store applied them in.
 *
 * <p>A {@link ForwardingBlobStore}, not a dynamic proxy: s3proxy tells its store's kind by unwrapping forwarding
 * stores to the class inside, and behind a proxy it lost a multipart upload's user metadata (a large restore's
 * {@code filetrail-restored-from}). A DeleteObjects request reaches {@link #removeBlob} once per object through
 * BlobStore's own {@code removeBlobs}, so each removal is reported as S3 reports it, one event per object.
 */
public final class NotifyingBlobStore extends ForwardingBlobStore {
    /**
     * s3proxy keeps a multipart upload's metadata in a stub object of this name until the upload completes (its
     * {@code S3ProxyHandler.MULTIPART_STUB_PREFIX}); S3 has no such object, so its writes are not reported.
     */
    static final String MULTIPART_STUB_PREFIX = ".s3proxy-mpu-stub-";
    private final Consumer<S3Change> sink;
    private final ReentrantLock lock = new ReentrantLock();
    // S3 sequencers are hex and grow per key; one global counter seeded by the clock keeps that true locally.
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    private NotifyingBlobStore(BlobStore delegate, Consumer<S3Change> sink) {
        super(delegate);
        this.sink = sink;
    }

    /** A store that behaves as {@code delegate} and reports its changes to {@code sink}. */
    public static BlobStore wrap(BlobStore delegate, Consumer<S3Change> sink) {
        return new NotifyingBlobStore(delegate, sink);
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        if (request.key().startsWith(MULTIPART_STUB_PREFIX)) {
            return super.putBlob(request, content);
        }
        return reported(() -> super.putBlob(request, content),
                put -> created("ObjectCreated:Put", request.bucket(), request.key(), put.versionId()));
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        return reported(() -> super.copyBlob(request), copy -> created("ObjectCreated:Copy",
                request.destinationBucket(), request.destinationKey(), copy.versionId()));
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        return reported(() -> super.completeMultipartUpload(upload, request), complete -> created(
                "ObjectCreated:CompleteMultipartUpload", complete.bucket() != null ? complete.bucket()
                        : request.bucket(), complete.key() != null ? complete.key() : request.key(),
                complete.versionId()));
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        // A DELETE that names a version removes it for good, a delete marker too (the response then says
        // deleteMarker: true, and S3 still reports ObjectRemoved:Delete); only a DELETE without one makes a marker.
        if (request.key().startsWith(MULTIPART_STUB_PREFIX)) {
            return super.removeBlob(request);
        }
        return reported(() -> super.removeBlob(request), delete -> removed(request.bucket(), request.key(),
                delete.versionId(), request.versionId() == null && Boolean.TRUE.equals(delete.deleteMarker())));
    }

    private <T> T reported(Supplier<T> change, Consumer<T> report) {
        lock.lock();
        try {
            T result = change.get();
            report.accept(result);
            return result;
        } finally {
            lock.unlock();
        }
    }

    private void created(String eventName, String bucket, String key, String versionId) {
        HeadObjectResponse head = delegate().blobMetadataIfPresent(
                HeadObjectRequest.builder().bucket(bucket).key(key).versionId(versionId).build());
        Long size = head == null ? null : head.contentLength();
        String eTag = head == null || head.eTag() == null ? null : head.eTag().replace("\"", "");
        sink.accept(new S3Change(eventName, bucket, key, versionId, size, eTag, nextSequencer(), Instant.now()));
    }

    private void removed(String bucket, String key, String versionId, boolean markerCreated) {
        // A DELETE without a versionId on a versioned bucket makes a delete marker; with one, it removes that version.
        String eventName = markerCreated ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete";
        sink.accept(new S3Change(eventName, bucket, key, versionId, null, null, nextSequencer(), Instant.now()));
    }

    private String nextSequencer() {
        return HexFormat.of().withUpperCase().toHexDigits(sequence.incrementAndGet()) + "00";
    }
}
