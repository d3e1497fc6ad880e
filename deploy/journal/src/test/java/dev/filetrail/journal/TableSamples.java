package dev.filetrail.journal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.schema.ContractSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Audit CloudEvents and file heads as the streams write them, valid against their topics' schemas. */
public final class TableSamples {
    private TableSamples() {
    }

    /** {@code n} audit events over a few days, of three types, ids prefixed with {@code run}. */
    public static List<CloudEvent> audit(String run, int n) {
        List<String> types = List.of(AuditTypes.VERSION_CREATED, AuditTypes.SHARE_OPENED, AuditTypes.URL_ISSUED);
        List<CloudEvent> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-28T08:00:00.250Z");
        for (int i = 0; i < n; i++) {
            String type = types.get(i % types.size());
            ObjectNode data = Json.MAPPER.createObjectNode().put("bucket", i % 2 == 0 ? "photos-eu" : "docs-us")
                    .put("key", "a/" + run + "-" + i + ".jpg").put("versionId", "v" + i);
            if (type.equals(AuditTypes.VERSION_CREATED)) {
                data.put("size", 1000L * i + 7).put("requester", "AIDA" + (i % 3));
            } else {
                data.put("actor", "key:ops-" + (i % 2)).put("linkId", type.equals(AuditTypes.SHARE_OPENED) ? "l" + i : null);
            }
            out.add(new CloudEvent(CloudEvent.SPEC_VERSION, run + "-audit-" + i, "urn:filetrail:test", type,
                    "photos-eu/a/" + i, base.plusSeconds(i * 3_600L * 7), CloudEvent.CONTENT_TYPE,
                    ContractSchemas.dataschema(type), data));
        }
        return out;
    }

    /** One change of the compacted files topic: a head, or a tombstone (null head) for {@code bucket/key}. */
    public record HeadChange(String bucket, String key, FileHead head) {
        public String recordKey() {
            return bucket + "/" + key;
        }
    }

    /** A live head of {@code bucket/key}, current version {@code version}. */
    public static FileHead live(String bucket, String key, String version, long versions, long size) {
        return new FileHead(bucket, key, false, version, versions, 0, size, "\"e-" + version + "\"", "image/jpeg",
                "STANDARD", Instant.parse("2026-11-30T12:00:00Z").plusSeconds(versions), version);
    }

    /** A head whose newest entry is a delete marker. */
    public static FileHead deleted(String bucket, String key, long versions) {
        return new FileHead(bucket, key, true, null, versions, 1, null, null, null, null,
                Instant.parse("2026-11-30T13:00:00Z"), "marker-" + key);
    }
}
