package dev.filetrail.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectPathTest {

    @Test
    void encodedAndMultiSegmentKeysParseToTheSameKey() {
        String key = "dir/sub/a b+c%d/ünï.txt";
        ObjectPath encoded = ObjectPath.parse("/v1/buckets/bkt/files/" + ObjectPath.encodeSegment(key) + "/versions", null);
        ObjectPath segments = ObjectPath.parse("/v1/buckets/bkt/files/" + ObjectPath.encodePath(key) + "/versions", null);
        assertThat(encoded).isEqualTo(segments);
        assertThat(encoded.key()).isEqualTo(key);
        assertThat(encoded.target()).isEqualTo(ObjectPath.Target.VERSIONS);
    }

    @Test
    void routeWordsAreMatchedFromTheEnd() {
        ObjectPath url = ObjectPath.parse("/v1/buckets/bkt/files/a%2Fversions/versions/v%2F1/url", null);
        assertThat(url.key()).isEqualTo("a/versions");
        assertThat(url.versionId()).isEqualTo("v/1");
        assertThat(url.target()).isEqualTo(ObjectPath.Target.VERSION_URL);
        ObjectPath thumb = ObjectPath.parse("/v1/buckets/bkt/files/k/versions/v1/thumbnails/256/url", null);
        assertThat(thumb.thumbnailSize()).isEqualTo(256);
        assertThat(thumb.versionId()).isEqualTo("v1");
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/shares", null).target()).isEqualTo(ObjectPath.Target.FILE);
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/k/shares", null).target()).isEqualTo(ObjectPath.Target.SHARES);
        ObjectPath events = ObjectPath.parse("/v1/buckets/bkt/files/a%2Fevents/versions/v%2B1/events", null);
        assertThat(events.target()).isEqualTo(ObjectPath.Target.VERSION_EVENTS);
        assertThat(events.key()).isEqualTo("a/events");
        assertThat(events.versionId()).isEqualTo("v+1");
        // A key that merely ends in "events" is a file.
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/k/events", null).target()).isEqualTo(ObjectPath.Target.FILE);
    }

    @Test
    void aKeyNoPathCanCarryComesAsTheKeyParameter() {
        ObjectPath versions = ObjectPath.parse("/v1/buckets/bkt/files/~/versions", "a\u0000b/versions");
        assertThat(versions.key()).isEqualTo("a\u0000b/versions");
        assertThat(versions.target()).isEqualTo(ObjectPath.Target.VERSIONS);
        ObjectPath url = ObjectPath.parse("/v1/buckets/bkt/files/~/versions/v1/url", "\u0000");
        assertThat(url.target()).isEqualTo(ObjectPath.Target.VERSION_URL);
        assertThat(url.versionId()).isEqualTo("v1");
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/~", "k").target()).isEqualTo(ObjectPath.Target.FILE);
        // Without the parameter, "~" is just a key; with it, any other key segment is a 400.
        assertThat(ObjectPath.parse("/v1/buckets/bkt/files/~", null).key()).isEqualTo("~");
        assertThatThrownBy(() -> ObjectPath.parse("/v1/buckets/bkt/files/k/versions", "k"))
                .isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> ObjectPath.parse("/v1/buckets/bkt/files/~", "")).isInstanceOf(ApiProblem.class);
    }

    @Test
    void plusStaysAPlusAndBadEscapesAre400() {
        assertThat(ObjectPath.decode("a+b%2Bc%20d")).isEqualTo("a+b+c d");
        assertThatThrownBy(() -> ObjectPath.decode("a%zz")).isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> ObjectPath.decode("a%C3")).isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> ObjectPath.parse("/v1/buckets/bkt/files/" + "x".repeat(1025), null))
                .isInstanceOf(ApiProblem.class);
    }
}
