package dev.filetrail.embedded.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectTaggingResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/** The tagging that EmbeddedS3 adds to s3proxy, driven by the AWS SDK as production code drives S3. */
@ExtendWith(RealParts.class)
class ObjectTaggingTest {

    private static Map<String, String> tags(GetObjectTaggingResponse response) {
        Map<String, String> map = new TreeMap<>();
        response.tagSet().forEach(t -> map.put(t.key(), t.value()));
        return map;
    }

    @Test
    void tagsArePerVersionAndSetAtUploadPutAndDeleted(EmbeddedS3 s3) {
        String bucket = "tagging-" + UUID.randomUUID();
        s3.createVersionedBucket(bucket);
        List<ObjectTagging.TagChange> changes = new ArrayList<>();
        s3.tagging().onChange(changes::add);
        try (S3Client client = s3.client()) {
            String key = "a dir/r\u00e9sum\u00e9+1.txt";
            String v1 = client.putObject(b -> b.bucket(bucket).key(key).tagging("team=blue&stage=draft%20one"),
                    RequestBody.fromString("one")).versionId();
            String v2 = client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("two")).versionId();

            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1))))
                    .isEqualTo(Map.of("team", "blue", "stage", "draft one"));
            assertThat(client.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet()).as("current: v2").isEmpty();

            var put = client.putObjectTagging(b -> b.bucket(bucket).key(key).versionId(v2)
                    .tagging(t -> t.tagSet(Tag.builder().key("k<&>").value("v \"x\"").build())));
            assertThat(put.versionId()).isEqualTo(v2);
            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(v2))))
                    .isEqualTo(Map.of("k<&>", "v \"x\""));
            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1))))
                    .as("the other version keeps its own").containsEntry("team", "blue");

            client.deleteObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1));
            assertThat(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(v1)).tagSet()).isEmpty();

            assertThat(changes).extracting(ObjectTagging.TagChange::eventName)
                    .containsExactly("ObjectTagging:Put", "ObjectTagging:Delete");
            assertThat(changes.get(0).versionId()).isEqualTo(v2);
            assertThat(changes.get(0).key()).isEqualTo(key);
            assertThat(changes.get(0).eTag()).isNotBlank();
            assertThat(changes.get(1).versionId()).isEqualTo(v1);

            // CopyObject copies the source version's tags unless told to replace them, as S3 does.
            String copied = client.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).sourceVersionId(v2)
                    .destinationBucket(bucket).destinationKey(key)).versionId();
            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(copied))))
                    .isEqualTo(Map.of("k<&>", "v \"x\""));
            String replaced = client.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).sourceVersionId(v2)
                    .destinationBucket(bucket).destinationKey(key).taggingDirective(TaggingDirective.REPLACE)
                    .tagging("only=this")).versionId();
            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key(key).versionId(replaced))))
                    .isEqualTo(Map.of("only", "this"));
        } finally {
            s3.tagging().onChange(c -> { });
        }
    }

    @Test
    void aMultipartUploadTakesTheTagsNamedAtItsCreationAndAPartCopyTakesNone(EmbeddedS3 s3) {
        String bucket = "tagging-mpu-" + UUID.randomUUID();
        s3.createVersionedBucket(bucket);
        byte[] part = new byte[5 * 1024 * 1024];
        try (S3Client client = s3.client()) {
            String tagged = complete(client, bucket, "big.bin", "team=blue&size=large", part);
            assertThat(tags(client.getObjectTagging(b -> b.bucket(bucket).key("big.bin").versionId(tagged))))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("team", "blue", "size", "large"));

            String plain = complete(client, bucket, "big.bin", null, part);
            assertThat(client.getObjectTagging(b -> b.bucket(bucket).key("big.bin").versionId(plain)).tagSet())
                    .as("an upload created without tags").isEmpty();

            // An upload aborted after naming tags leaves none behind for the next one.
            String aborted = client.createMultipartUpload(b -> b.bucket(bucket).key("big.bin").tagging("gone=yes"))
                    .uploadId();
            client.abortMultipartUpload(b -> b.bucket(bucket).key("big.bin").uploadId(aborted));

            // Parts copied from the tagged version carry no tags: S3 copies tags only with CopyObject.
            String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key("copy.bin")).uploadId();
            String eTag = client.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("big.bin")
                    .sourceVersionId(tagged).destinationBucket(bucket).destinationKey("copy.bin").uploadId(uploadId)
                    .partNumber(1)).copyPartResult().eTag();
            String copied = client.completeMultipartUpload(b -> b.bucket(bucket).key("copy.bin").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag)))).versionId();
            assertThat(client.getObjectTagging(b -> b.bucket(bucket).key("copy.bin").versionId(copied)).tagSet())
                    .isEmpty();

            assertThatThrownBy(() -> client.createMultipartUpload(b -> b.bucket(bucket).key("bad.bin")
                    .tagging("k=" + "v".repeat(257))))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");
                    });
        }
    }

    private static String complete(S3Client client, String bucket, String key, String tagging, byte[] part) {
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key).tagging(tagging)).uploadId();
        String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(part)).eTag();
        return client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(eTag)))).versionId();
    }

    @Test
    void unknownVersionsAndKeysAre404AndBadTagsAre400(EmbeddedS3 s3) {
        String bucket = "tagging-" + UUID.randomUUID();
        s3.createVersionedBucket(bucket);
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("x"));
            assertThatThrownBy(() -> client.getObjectTagging(b -> b.bucket(bucket).key("missing")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(404);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
                    });
            assertThatThrownBy(() -> client.getObjectTagging(b -> b.bucket(bucket).key("k").versionId("nope")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
            List<Tag> eleven = new ArrayList<>();
            for (int i = 0; i < 11; i++) {
                eleven.add(Tag.builder().key("k" + i).value("v").build());
            }
            assertThatThrownBy(() -> client.putObjectTagging(b -> b.bucket(bucket).key("k")
                    .tagging(t -> t.tagSet(eleven))))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(400);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidTag");
                    });
        }
    }
}
