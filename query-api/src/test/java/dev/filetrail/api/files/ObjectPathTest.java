package dev.filetrail.api.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.http.ApiProblem;
import org.junit.jupiter.api.Test;

class ObjectPathTest {

    @Test
    void encodedAndMultiSegmentKeysParseToTheSameKey() {
        String key = "dir/sub/a b+c%d/ünï.txt";
        ObjectPath encoded = ObjectPath.parse("/v1/buckets/bkt/files/" + ObjectPath.encodeSegment(key) + "/versions");
        ObjectPath segments = ObjectPath.parse("/v1/buckets/bkt/files/" + ObjectPath.encodePath(key) + "/versions");
        assertThat(encoded).isEqualTo(segments);
        assertThat(encoded.key()).isEqualTo(key);
        assertThat(encoded.target()).isEqualTo(ObjectPath.Target.VERSIONS);
    }

    @Test
    void routeWordsAreMatchedFromTheEnd() {
        ObjectPath url = ObjectPath.parse("/v1/buckets/bkt/files/a%2Fversions/versions/v%2F1/url");
        assertThat(url.key()).isEqualTo("a/versions");
        assertThat(url.versionId()).isEqualTo("v/1");
        assertThat(url.target()).isEqualTo(ObjectPath.Target.VERSION_URL);
        ObjectPath thumb = ObjectPath.parse("/v1/buckets/bkt/files/k/versions/v1/thumbnails/256/url");
        assertThat(thumb.thumbnailSize()).isEqualTo(256);
        assertThat(thumb.versionId()).isEqualTo("v1");
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/shares").target()).isEqualTo(ObjectPath.Target.FILE);
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/k/shares").target()).isEqualTo(ObjectPath.Target.SHARES);
    }

    @Test
    void plusStaysAPlusAndBadEscapesAre400() {
        assertThat(ObjectPath.decode("a+b%2Bc%20d")).isEqualTo("a+b+c d");
        assertThatThrownBy(() -> ObjectPath.decode("a%zz")).isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> ObjectPath.decode("a%C3")).isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> ObjectPath.parse("/v1/buckets/bkt/files/" + "x".repeat(1025)))
                .isInstanceOf(ApiProblem.class);
    }
}
