package dev.filetrail.launcher.ops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * S3's side: ListObjectVersions page by page, regrouped per key (a key's entries may straddle two pages), so
 * memory holds one page and one key, never the bucket.
 */
final class S3Listing extends KeyListing {
    private final Iterator<ListObjectVersionsResponse> pages;
    private final List<ObjectEntry> pending = new ArrayList<>();
    private int pendingIndex;

    S3Listing(S3Client s3, String bucket, String prefix, int pageSize) {
        this.pages = s3.listObjectVersionsPaginator(b -> b.bucket(bucket).prefix(prefix).maxKeys(pageSize)).iterator();
    }

    @Override
    protected KeyEntries advance() {
        String key = null;
        List<ObjectEntry> entries = new ArrayList<>();
        while (true) {
            if (pendingIndex >= pending.size()) {
                pending.clear();
                pendingIndex = 0;
                if (!pages.hasNext()) {
                    return key == null ? null : new KeyEntries(key, entries);
                }
                pending.addAll(entriesOf(pages.next()));
                continue;
            }
            ObjectEntry entry = pending.get(pendingIndex);
            if (key != null && !key.equals(entry.key())) {
                return new KeyEntries(key, entries);
            }
            key = entry.key();
            entries.add(entry);
            pendingIndex++;
        }
    }

    /** One page's versions and markers in key order (each list is key-ordered; this merges the two). */
    static List<ObjectEntry> entriesOf(ListObjectVersionsResponse page) {
        List<ObjectEntry> entries = new ArrayList<>(page.versions().size() + page.deleteMarkers().size());
        for (ObjectVersion v : page.versions()) {
            entries.add(new ObjectEntry(v.key(), v.versionId(), false, v.storageClassAsString(),
                    Boolean.TRUE.equals(v.isLatest()), v.lastModified(), v.size(), unquote(v.eTag())));
        }
        for (DeleteMarkerEntry m : page.deleteMarkers()) {
            entries.add(new ObjectEntry(m.key(), m.versionId(), true, null, Boolean.TRUE.equals(m.isLatest()),
                    m.lastModified(), null, null));
        }
        entries.sort((a, b) -> KeyOrder.UTF8_BINARY.compare(a.key(), b.key()));
        return entries;
    }

    static String unquote(String eTag) {
        if (eTag != null && eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")) {
            return eTag.substring(1, eTag.length() - 1);
        }
        return eTag;
    }
}
