package dev.filetrail.lambda.s3event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.lambda.source.SourceVersion;
import org.junit.jupiter.api.Test;

class S3NotificationsTest {

    @Test
    void parsesCreatedRecordsAndDecodesKeys() {
        String json = LambdaEvents.s3Notification(
                LambdaEvents.s3Record("ObjectCreated:Put", "b", "photos/a b+c@d é.jpg", "v1", 10L, "etag", "0A"),
                LambdaEvents.s3Record("ObjectRemoved:DeleteMarkerCreated", "b", "x", "v2", null, null, "0B"),
                LambdaEvents.s3Record("ObjectCreated:CompleteMultipartUpload", "b", "big.tif", "v3", 5L, "e-2", "0C"));

        var versions = S3Notifications.createdVersions(json);

        assertThat(versions).extracting(SourceVersion::key).containsExactly("photos/a b+c@d é.jpg", "big.tif");
        assertThat(versions.get(0)).isEqualTo(new SourceVersion("b", "photos/a b+c@d é.jpg", "v1", 10L, "etag", "0A",
                "ObjectCreated:Put"));
    }

    @Test
    void keysArriveFormUrlEncodedExactlyAsS3SendsThem() {
        String json = "{\"Records\":[{\"eventVersion\":\"2.4\",\"eventName\":\"ObjectCreated:Copy\","
                + "\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a%40b+c%2Bd\",\"size\":1},"
                + "\"newField\":true}}]}";

        SourceVersion version = S3Notifications.createdVersions(json).get(0);

        assertThat(version.key()).isEqualTo("a@b c+d");
        assertThat(version.versionId()).isNull();
        assertThat(version.versionOrNull()).isEqualTo("null");
    }

    @Test
    void testEventsAndOtherMajorVersionsYieldNothing() {
        assertThat(S3Notifications.createdVersions(LambdaEvents.testEvent("b"))).isEmpty();
        assertThat(S3Notifications.createdVersions("{\"Records\":[{\"eventVersion\":\"3.0\","
                + "\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}}}]}"))
                .isEmpty();
    }

    @Test
    void malformedMessagesAreReportedAsSuch() {
        assertThatThrownBy(() -> S3Notifications.createdVersions("not json"))
                .isInstanceOf(MalformedNotificationException.class);
        assertThatThrownBy(() -> S3Notifications.createdVersions("{\"hello\":1}"))
                .isInstanceOf(MalformedNotificationException.class);
        assertThatThrownBy(() -> S3Notifications.createdVersions(
                "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{}}]}"))
                .isInstanceOf(MalformedNotificationException.class);
    }

    @Test
    void sqsBodiesMayBeSnsEnvelopesOrRawDeliveries() {
        String s3 = LambdaEvents.s3Notification(
                LambdaEvents.s3Record("ObjectCreated:Put", "b", "k", "v", 1L, "e", "01"));
        String envelope = dev.filetrail.events.Json.writeString(LambdaEvents.snsNotification(s3));

        assertThat(SnsEnvelopes.s3Message(envelope)).isEqualTo(s3);
        assertThat(SnsEnvelopes.s3Message(s3)).isEqualTo(s3);
        assertThatThrownBy(() -> SnsEnvelopes.s3Message("{\"Type\":\"SubscriptionConfirmation\"}"))
                .isInstanceOf(MalformedNotificationException.class);
        assertThatThrownBy(() -> SnsEnvelopes.s3Message(""))
                .isInstanceOf(MalformedNotificationException.class);
    }
}
