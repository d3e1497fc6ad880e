package dev.filetrail.lambda.derivatives;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.lambda.source.SourceVersion;
import org.junit.jupiter.api.Test;

class DerivativeKeysTest {

    private static SourceVersion version(String key, String versionId) {
        return new SourceVersion("photos", key, versionId, 1L, "e", "01", "ObjectCreated:Put");
    }

    @Test
    void namesSourceBucketKeyAndVersion() {
        assertThat(DerivativeKeys.thumbnail(version("trips/2024/a b+c.jpg", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"), 256,
                "jpg"))
                .isEqualTo("_derivatives/thumbnails/photos/trips%2F2024%2Fa%20b%2Bc.jpg/3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY/256.jpg");
        assertThat(DerivativeKeys.result(DerivativeKeys.METADATA, version("k", null)))
                .isEqualTo("_derivatives/metadata/photos/k/null/result.json");
    }

    @Test
    void distinctKeysNeverShareAFolder() {
        assertThat(DerivativeKeys.folder("thumbnails", version("a/b", "v")))
                .isNotEqualTo(DerivativeKeys.folder("thumbnails", version("a%2Fb", "v")));
        assertThat(DerivativeKeys.folder("thumbnails", version("a b", "v")))
                .isNotEqualTo(DerivativeKeys.folder("thumbnails", version("a+b", "v")));
    }

    @Test
    void overlongKeysAreHashedToStayWithinS3sLimit() {
        String folder = DerivativeKeys.folder("thumbnails", version("ü".repeat(400), "v"));

        assertThat(folder).startsWith("_derivatives/thumbnails/photos/sha256-").endsWith("/v/");
        assertThat(folder.length()).isLessThan(200);
    }
}
