package dev.filetrail.launcher.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The rules that decide how one key's entries on the two sides differ; pure, so they are tested without S3. */
public final class KeyComparison {
    private KeyComparison() {
    }

    /** Differences of one key: S3's entries against Filetrail's (either list may be empty). */
    public static List<Difference> compare(String bucket, String key, List<ObjectEntry> s3, List<ObjectEntry> filetrail) {
        Map<String, ObjectEntry> inS3 = byVersion(s3);
        Map<String, ObjectEntry> inFiletrail = byVersion(filetrail);
        List<Difference> differences = new ArrayList<>();
        boolean versionRepairs = false;
        for (ObjectEntry entry : inS3.values()) {
            ObjectEntry known = inFiletrail.get(entry.versionId());
            if (known == null) {
                differences.add(new Difference(Difference.Kind.MISSING_VERSION, bucket, key, entry.versionId(), entry,
                        null, true));
                versionRepairs = true;
            } else if (!entry.deleteMarker() && !known.deleteMarker()
                    && !Objects.equals(entry.effectiveStorageClass(), known.effectiveStorageClass())) {
                differences.add(new Difference(Difference.Kind.WRONG_STORAGE_CLASS, bucket, key, entry.versionId(),
                        entry, known, true));
            }
        }
        for (ObjectEntry entry : inFiletrail.values()) {
            if (!inS3.containsKey(entry.versionId())) {
                differences.add(new Difference(Difference.Kind.EXTRA_VERSION, bucket, key, entry.versionId(), null,
                        entry, true));
                versionRepairs = true;
            }
        }
        ObjectEntry s3Current = latest(s3);
        ObjectEntry filetrailCurrent = latest(filetrail);
        if (s3Current != null && filetrailCurrent != null
                && !s3Current.versionId().equals(filetrailCurrent.versionId())) {
            // Adding the missing or removing the extra entries moves the head; with the same entries on both
            // sides, only the order differs, which no event can rewrite (see OPS.md).
            differences.add(new Difference(Difference.Kind.WRONG_CURRENT_VERSION, bucket, key, s3Current.versionId(),
                    s3Current, filetrailCurrent, versionRepairs));
        }
        return differences;
    }

    private static Map<String, ObjectEntry> byVersion(List<ObjectEntry> entries) {
        Map<String, ObjectEntry> map = new LinkedHashMap<>();
        for (ObjectEntry entry : entries) {
            map.put(entry.versionId(), entry);
        }
        return map;
    }

    private static ObjectEntry latest(List<ObjectEntry> entries) {
        return entries.stream().filter(ObjectEntry::latest).findFirst().orElse(null);
    }
}
