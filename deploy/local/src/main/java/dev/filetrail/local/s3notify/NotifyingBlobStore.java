package dev.filetrail.local.s3notify;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Wraps the local S3 server's store so that every change it makes is reported the way S3 reports it: an
 * {@link S3Change} with the new versionId, size, eTag and a sequencer that grows with each change. Changes are
 * serialised under one lock, so sequencer order is the order the store applied them in.
 */
public final class NotifyingBlobStore implements InvocationHandler {
    private final BlobStore delegate;
    private final Consumer<S3Change> sink;
    private final ReentrantLock lock = new ReentrantLock();
    // S3 sequencers are hex and grow per key; one global counter seeded by the clock keeps that true locally.
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

    private NotifyingBlobStore(BlobStore delegate, Consumer<S3Change> sink) {
        this.delegate = delegate;
        this.sink = sink;
    }

    /** A store that behaves as {@code delegate} and reports its changes to {@code sink}. */
    public static BlobStore wrap(BlobStore delegate, Consumer<S3Change> sink) {
        return (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), new Class<?>[] {BlobStore.class},
                new NotifyingBlobStore(delegate, sink));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        boolean mutates = name.equals("putBlob") || name.equals("copyBlob") || name.equals("removeBlob")
                || name.equals("removeBlobs") || name.equals("completeMultipartUpload");
        if (!mutates) {
            return call(method, args);
        }
        lock.lock();
        try {
            Object result = call(method, args);
            report(result, args);
            return result;
        } finally {
            lock.unlock();
        }
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(delegate, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void report(Object result, Object[] args) {
        Instant now = Instant.now();
        if (result instanceof PutObjectResponse put && args[0] instanceof PutObjectRequest request) {
            created("ObjectCreated:Put", request.bucket(), request.key(), put.versionId(), now);
        } else if (result instanceof CopyObjectResponse copy && args[0] instanceof CopyObjectRequest request) {
            created("ObjectCreated:Copy", request.destinationBucket(), request.destinationKey(), copy.versionId(), now);
        } else if (result instanceof CompleteMultipartUploadResponse complete && args[0] instanceof MultipartUpload upload) {
            String bucket = complete.bucket() != null ? complete.bucket() : ((CompleteMultipartUploadRequest) args[1]).bucket();
            String key = complete.key() != null ? complete.key() : ((CompleteMultipartUploadRequest) args[1]).key();
            created("ObjectCreated:CompleteMultipartUpload", bucket, key, complete.versionId(), now);
        } else if (result instanceof DeleteObjectResponse delete) {
            String bucket;
            String key;
            boolean versionNamed = false;
            if (args[0] instanceof DeleteObjectRequest request) {
                bucket = request.bucket();
                key = request.key();
                versionNamed = request.versionId() != null;
            } else {
                bucket = (String) args[0];
                key = (String) args[1];
            }
            // A DELETE that names a version removes it for good, a delete marker too (the response then says
            // deleteMarker: true, and S3 still reports ObjectRemoved:Delete); only a DELETE without one makes a marker.
            removed(bucket, key, delete.versionId(), !versionNamed && Boolean.TRUE.equals(delete.deleteMarker()), now);
        } else if (result instanceof DeleteObjectsResponse deletes && args[0] instanceof DeleteObjectsRequest request) {
            for (DeletedObject deleted : deletes.deleted()) {
                boolean marker = Boolean.TRUE.equals(deleted.deleteMarker());
                String version = marker && deleted.versionId() == null ? deleted.deleteMarkerVersionId() : deleted.versionId();
                removed(request.bucket(), deleted.key(), version, marker && deleted.versionId() == null, now);
            }
        }
    }

    private void created(String eventName, String bucket, String key, String versionId, Instant now) {
        HeadObjectResponse head = delegate.blobMetadataIfPresent(
                software.amazon.awssdk.services.s3.model.HeadObjectRequest.builder()
                        .bucket(bucket).key(key).versionId(versionId).build());
        Long size = head == null ? null : head.contentLength();
        String eTag = head == null || head.eTag() == null ? null : head.eTag().replace("\"", "");
        sink.accept(new S3Change(eventName, bucket, key, versionId, size, eTag, nextSequencer(), now));
    }

    private void removed(String bucket, String key, String versionId, boolean markerCreated, Instant now) {
        // A DELETE without a versionId on a versioned bucket makes a delete marker; with one, it removes that version.
        String eventName = markerCreated ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete";
        sink.accept(new S3Change(eventName, bucket, key, versionId, null, null, nextSequencer(), now));
    }

    private String nextSequencer() {
        return HexFormat.of().withUpperCase().toHexDigits(sequence.incrementAndGet()) + "00";
    }
}
