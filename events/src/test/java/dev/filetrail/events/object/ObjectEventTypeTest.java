package dev.filetrail.events.object;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectEventTypeTest {

    @ParameterizedTest
    @CsvSource({
            "ObjectCreated:Put, VERSION_CREATED",
            "ObjectCreated:Post, VERSION_CREATED",
            "ObjectCreated:Copy, VERSION_CREATED",
            "ObjectCreated:CompleteMultipartUpload, VERSION_CREATED",
            "s3:ObjectCreated:Put, VERSION_CREATED",
            "ObjectRemoved:Delete, VERSION_REMOVED",
            "ObjectRemoved:DeleteMarkerCreated, DELETE_MARKER_CREATED",
            "LifecycleExpiration:Delete, VERSION_REMOVED",
            "LifecycleExpiration:DeleteMarkerCreated, DELETE_MARKER_CREATED",
            "LifecycleTransition, STORAGE_CLASS_CHANGED",
            "IntelligentTiering, STORAGE_CLASS_CHANGED",
            "ObjectRestore:Post, RESTORE_INITIATED",
            "ObjectRestore:Completed, RESTORE_COMPLETED",
            "ObjectRestore:Delete, RESTORE_EXPIRED",
            "ObjectTagging:Put, TAGS_PUT",
            "ObjectTagging:Delete, TAGS_DELETED",
            "ObjectAcl:Put, ACL_PUT",
            "Replication:OperationFailedReplication, REPLICATION",
            "Replication:OperationReplicatedAfterThreshold, REPLICATION",
            "ObjectLegalHold:Put, UNKNOWN",
    })
    void mapsEveryEventName(String eventName, ObjectEventType expected) {
        assertThat(ObjectEventType.fromEventName(eventName)).isEqualTo(expected);
    }
}
