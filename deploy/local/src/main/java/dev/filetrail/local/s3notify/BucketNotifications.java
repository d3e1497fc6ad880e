package dev.filetrail.local.s3notify;

import dev.filetrail.embedded.s3.ObjectTagging;
import dev.filetrail.local.sns.SnsEmulator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack's S3 event notification configuration: which bucket notifies which SNS topic. Buckets without
 * a configuration (the derivatives bucket) stay silent, so writing thumbnails can never loop back.
 */
public final class BucketNotifications implements Consumer<S3Change> {
    private static final Logger log = LoggerFactory.getLogger(BucketNotifications.class);
    /** The Subject S3 sets on what it publishes to SNS. */
    public static final String SUBJECT = "Amazon S3 Notification";

    private final SnsEmulator sns;
    private final S3EventJson json;
    private final Map<String, String> topicByBucket = new ConcurrentHashMap<>();

    public BucketNotifications(SnsEmulator sns, S3EventJson json) {
        this.sns = sns;
        this.json = json;
    }

    public void notify(String bucket, String topicArn) {
        topicByBucket.put(bucket, topicArn);
    }

    /**
     * Reports a tagging change of the local S3 as S3 does: {@code ObjectTagging:Put} or {@code ObjectTagging:Delete}
     * naming the version and its eTag, with no size and no sequencer (S3's tagging events carry neither).
     */
    public void tagged(ObjectTagging.TagChange change) {
        accept(new S3Change(change.eventName(), change.bucket(), change.key(), change.versionId(), null, change.eTag(),
                null, change.eventTime()));
    }

    @Override
    public void accept(S3Change change) {
        String topicArn = topicByBucket.get(change.bucket());
        if (topicArn == null) {
            return;
        }
        sns.publish(topicArn, SUBJECT, json.notification(change, "filetrail-object-events"), Map.of());
        log.debug("s3 notification published event={} bucket={} key={} versionId={} sequencer={}", change.eventName(),
                change.bucket(), change.key(), change.versionId(), change.sequencer());
    }
}
