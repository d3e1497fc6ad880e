package dev.filetrail.embedded.s3;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3 object tagging for the embedded S3 server, which s3proxy 4.1.0 answers "not implemented": GetObjectTagging,
 * PutObjectTagging and DeleteObjectTagging (with or without versionId), tags set at upload ({@code x-amz-tagging} on
 * PutObject, and on CreateMultipartUpload for the version its completion makes) and copied by CopyObject (S3's
 * default {@code COPY} directive, or {@code REPLACE}); UploadPartCopy copies no tags, as on S3. Tags are kept per
 * version in memory, like the store itself. A servlet filter in front of s3proxy's handler answers the tagging
 * subresource in S3's XML; the store wrapper records upload tags inside the PUT, before the store reports the new
 * version, so a processor woken by that report always finds them (as on S3, where tags are part of the PUT).
 * Requests to the subresource are not signature-checked: this is a loopback test server.
 */
public final class ObjectTagging {
    private static final String XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final ThreadLocal<Pending> PENDING = new ThreadLocal<>();

    /** A tagging change S3 would notify as {@code ObjectTagging:Put} or {@code ObjectTagging:Delete}. */
    public record TagChange(String eventName, String bucket, String key, String versionId, String eTag,
                            Instant eventTime) {
    }

    private record VersionKey(String bucket, String key, String versionId) {
    }

    /** Upload tags (REPLACE) or nothing (COPY from the source) of the request on this thread. */
    private record Pending(SortedMap<String, String> tags) {
    }

    private final Map<VersionKey, SortedMap<String, String>> tags = new ConcurrentHashMap<>();
    /** Tags named when a multipart upload was created, by upload id, until it completes or is aborted. */
    private final Map<String, SortedMap<String, String>> multipartTags = new ConcurrentHashMap<>();
    private volatile Consumer<TagChange> listener = change -> { };
    private volatile BlobStore store;

    /** Tells {@code sink} of every tagging change (the local stack turns them into S3 notifications). */
    public void onChange(Consumer<TagChange> sink) {
        this.listener = sink;
    }

    /** The tags of one version (empty when it has none). */
    public Map<String, String> of(String bucket, String key, String versionId) {
        return Collections.unmodifiableMap(tags.getOrDefault(new VersionKey(bucket, key, versionId), new TreeMap<>()));
    }

    /**
     * Wraps the base store so upload and copy tags are recorded inside the write. A {@link ForwardingBlobStore}, not
     * a dynamic proxy: s3proxy tells its store's kind by unwrapping forwarding stores to the class inside, and some of
     * its behaviour (a multipart upload's user metadata) depends on that kind.
     */
    BlobStore wrap(BlobStore base) {
        return new ForwardingBlobStore(base) {
            @Override
            public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
                PutObjectResponse put = super.putBlob(request, content);
                Pending pending = PENDING.get();
                if (pending != null && pending.tags() != null) {
                    tags.put(new VersionKey(request.bucket(), request.key(), orNull(put.versionId())), pending.tags());
                }
                return put;
            }

            @Override
            public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
                MultipartUpload upload = super.initiateMultipartUpload(request);
                Pending pending = PENDING.get();
                if (pending != null && pending.tags() != null) {
                    multipartTags.put(upload.id(), pending.tags());
                }
                return upload;
            }

            @Override
            public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                           CompleteMultipartUploadRequest request) {
                CompleteMultipartUploadResponse completed = super.completeMultipartUpload(upload, request);
                SortedMap<String, String> named = multipartTags.remove(upload.id());
                if (named != null) {
                    tags.put(new VersionKey(upload.containerName(), upload.blobName(), orNull(completed.versionId())),
                            named);
                }
                return completed;
            }

            @Override
            public void abortMultipartUpload(MultipartUpload upload) {
                super.abortMultipartUpload(upload);
                multipartTags.remove(upload.id());
            }

            @Override
            public CopyObjectResponse copyBlob(CopyObjectRequest request) {
                CopyObjectResponse copy = super.copyBlob(request);
                copied(base, request, copy);
                return copy;
            }
        };
    }

    private void copied(BlobStore base, CopyObjectRequest request, CopyObjectResponse copy) {
        Pending pending = PENDING.get();
        VersionKey target = new VersionKey(request.destinationBucket(), request.destinationKey(),
                orNull(copy.versionId()));
        if (pending != null && pending.tags() != null) {
            tags.put(target, pending.tags());
            return;
        }
        String sourceVersion = request.sourceVersionId();
        if (sourceVersion == null) {
            HeadObjectResponse head = base.blobMetadataIfPresent(request.sourceBucket(), request.sourceKey());
            sourceVersion = head == null ? null : orNull(head.versionId());
        }
        SortedMap<String, String> source = tags.get(new VersionKey(request.sourceBucket(), request.sourceKey(),
                sourceVersion));
        if (source != null) {
            tags.put(target, source);
        } else {
            tags.remove(target);
        }
    }

    /** The filter that answers {@code ?tagging} and notes upload tags; {@code blobs} is the store s3proxy serves. */
    Filter filter(BlobStore blobs) {
        this.store = blobs;
        return new Filter() {
            @Override
            public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
                    throws IOException, ServletException {
                HttpServletRequest request = (HttpServletRequest) req;
                HttpServletResponse response = (HttpServletResponse) res;
                Map<String, String> query = query(request.getQueryString());
                if (query.containsKey("tagging")) {
                    tagging(request, response, query);
                    return;
                }
                String uploadTags = request.getHeader("x-amz-tagging");
                boolean replace = "REPLACE".equalsIgnoreCase(request.getHeader("x-amz-tagging-directive"));
                boolean writes = "PUT".equals(request.getMethod())
                        || "POST".equals(request.getMethod()) && query.containsKey("uploads");
                if (writes && (uploadTags != null || replace)) {
                    SortedMap<String, String> parsed;
                    try {
                        parsed = formTags(uploadTags == null ? "" : uploadTags);
                    } catch (IllegalArgumentException e) {
                        error(response, 400, "InvalidTag", e.getMessage());
                        return;
                    }
                    PENDING.set(new Pending(parsed));
                    try {
                        chain.doFilter(req, res);
                    } finally {
                        PENDING.remove();
                    }
                    return;
                }
                chain.doFilter(req, res);
            }
        };
    }

    private void tagging(HttpServletRequest request, HttpServletResponse response, Map<String, String> query)
            throws IOException {
        String path = percentDecode(request.getRequestURI());
        int slash = path.indexOf('/', 1);
        if (slash < 0 || slash == path.length() - 1) {
            error(response, 400, "InvalidRequest", "object tagging needs a bucket and a key");
            return;
        }
        String bucket = path.substring(1, slash);
        String key = path.substring(slash + 1);
        String versionId = query.get("versionId");
        HeadObjectResponse head;
        try {
            head = versionId == null ? store.blobMetadataIfPresent(bucket, key)
                    : store.blobMetadataIfPresent(HeadObjectRequest.builder().bucket(bucket).key(key)
                    .versionId(versionId).build());
        } catch (AwsServiceException e) {
            int status = e.statusCode() == 0 ? 404 : e.statusCode();
            String code = e.awsErrorDetails() == null ? "NoSuchVersion" : e.awsErrorDetails().errorCode();
            error(response, status == 400 && versionId != null ? 404 : status,
                    status == 400 && versionId != null ? "NoSuchVersion" : code, e.getMessage());
            return;
        }
        if (head == null || Boolean.TRUE.equals(head.deleteMarker())) {
            if (versionId == null) {
                error(response, 404, "NoSuchKey", "The specified key does not exist.");
            } else {
                error(response, 404, "NoSuchVersion", "The specified version does not exist.");
            }
            return;
        }
        String version = versionId != null ? versionId : orNull(head.versionId());
        VersionKey target = new VersionKey(bucket, key, version);
        String eTag = head.eTag() == null ? null : head.eTag().replace("\"", "");
        response.setHeader("x-amz-version-id", version);
        switch (request.getMethod()) {
            case "GET" -> {
                StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"")
                        .append(XMLNS).append("\"><TagSet>");
                tags.getOrDefault(target, new TreeMap<>()).forEach((k, v) -> xml.append("<Tag><Key>")
                        .append(escape(k)).append("</Key><Value>").append(escape(v)).append("</Value></Tag>"));
                xml.append("</TagSet></Tagging>");
                write(response, 200, xml.toString());
            }
            case "PUT" -> {
                SortedMap<String, String> parsed;
                try {
                    parsed = xmlTags(request.getInputStream());
                } catch (IllegalArgumentException e) {
                    error(response, 400, e.getMessage().startsWith("malformed") ? "MalformedXML" : "InvalidTag",
                            e.getMessage());
                    return;
                }
                tags.put(target, parsed);
                response.setStatus(200);
                listener.accept(new TagChange("ObjectTagging:Put", bucket, key, version, eTag, Instant.now()));
            }
            case "DELETE" -> {
                tags.remove(target);
                response.setStatus(204);
                listener.accept(new TagChange("ObjectTagging:Delete", bucket, key, version, eTag, Instant.now()));
            }
            default -> error(response, 405, "MethodNotAllowed", "The specified method is not allowed.");
        }
    }

    private static SortedMap<String, String> xmlTags(InputStream body) {
        Document document;
        try {
            byte[] bytes = readAll(body);
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(false);
            document = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(bytes));
        } catch (Exception e) {
            throw new IllegalArgumentException("malformed Tagging XML: " + e.getMessage(), e);
        }
        SortedMap<String, String> parsed = new TreeMap<>();
        NodeList tagNodes = document.getElementsByTagName("Tag");
        for (int i = 0; i < tagNodes.getLength(); i++) {
            Element tag = (Element) tagNodes.item(i);
            String key = text(tag, "Key");
            String value = text(tag, "Value");
            if (key == null || parsed.put(key, value == null ? "" : value) != null) {
                throw new IllegalArgumentException("The TagKey you have provided is invalid or repeated");
            }
        }
        return validated(parsed);
    }

    private static SortedMap<String, String> formTags(String header) {
        SortedMap<String, String> parsed = new TreeMap<>();
        if (header.isEmpty()) {
            return parsed;
        }
        for (String pair : header.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (parsed.put(key, value) != null) {
                throw new IllegalArgumentException("The TagKey you have provided is repeated: " + key);
            }
        }
        return validated(parsed);
    }

    /** S3's limits: at most 10 tags, keys of 1 to 128 characters, values of at most 256. */
    private static SortedMap<String, String> validated(SortedMap<String, String> parsed) {
        if (parsed.size() > 10) {
            throw new IllegalArgumentException("Object tags cannot be greater than 10");
        }
        for (Map.Entry<String, String> e : parsed.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().codePointCount(0, e.getKey().length()) > 128
                    || e.getValue().codePointCount(0, e.getValue().length()) > 256) {
                throw new IllegalArgumentException("The TagKey or TagValue you have provided is invalid");
            }
        }
        return Collections.unmodifiableSortedMap(parsed);
    }

    private static String text(Element parent, String name) {
        NodeList nodes = parent.getElementsByTagName(name);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new java.util.HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            params.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    /** Path percent-decoding: unlike form decoding, '+' stays a plus. */
    private static String percentDecode(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                out.write(Integer.parseInt(new String(bytes, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void error(HttpServletResponse response, int status, String code, String message)
            throws IOException {
        write(response, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code
                + "</Code><Message>" + escape(message == null ? code : message) + "</Message></Error>");
    }

    private static void write(HttpServletResponse response, int status, String xml) throws IOException {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/xml");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static String orNull(String versionId) {
        return versionId == null || versionId.isEmpty() ? "null" : versionId;
    }
}
