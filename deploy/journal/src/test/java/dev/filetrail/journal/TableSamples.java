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
import java.util.Map;
import dev.filetrail.events.processing.ExifData;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.processing.Thumbnail;
import dev.filetrail.events.share.ShareCommand;

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

    /**
     * {@code n} processing results as the processors write them: thumbnails with two sizes, metadata with EXIF (and
     * GPS), tag answers (some with no tags), a failure, instants with nanoseconds, ids prefixed with {@code run}.
     */
    public static List<ProcessingResult> results(String run, int n) {
        List<ProcessingResult> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-29T09:30:00.123456789Z");
        for (int i = 0; i < n; i++) {
            String bucket = i % 2 == 0 ? "photos-eu" : "docs-us";
            String key = "pr/" + run + "-" + (i / 3) + (i % 7 == 0 ? " ü&ß.jpg" : ".jpg");
            String version = "v" + (i / 3);
            Instant at = base.plusSeconds(i * 3_600L * 9);
            ProcessingResult r = switch (i % 4) {
                case 0 -> new ProcessingResult(run + "-r" + i, ProcessingResult.THUMBNAILER, bucket, key, version,
                        ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 4000, 3000, 1_234_567L + i, null, null,
                        List.of(new Thumbnail(256, 256, 192, "image/webp", "thumbs", "t/" + i + "-256.webp", 9_000L + i),
                                new Thumbnail(1024, 1024, 768, "image/webp", "thumbs", "t/" + i + "-1024.webp", 80_000L)),
                        at, i % 8 == 0 ? "v-source" : null);
                case 1 -> new ProcessingResult(run + "-r" + i, ProcessingResult.METADATA, bucket, key, version,
                        ProcessingResult.Status.SUCCEEDED, null, "image/jpeg", 4000, 3000, 1_234_567L, "ab" + i,
                        new ExifData(at.minusSeconds(86_400), "Canon", "EOS R" + i, 1, 48.1 + i, 11.5),
                        List.of(), at).withTags(Map.of("team", "t" + (i % 3), "class", "c"), at.plusNanos(7));
                case 2 -> new ProcessingResult(run + "-r" + i, ProcessingResult.TAGS, bucket, key, version,
                        ProcessingResult.Status.SUCCEEDED, null, null, null, null, null, null, null, null, at)
                        .withTags(i % 3 == 0 ? Map.of() : Map.of("team", "t" + (i % 3)), at);
                default -> new ProcessingResult(run + "-r" + i, ProcessingResult.THUMBNAILER, bucket, key, version,
                        ProcessingResult.Status.FAILED, "unsupported image: " + i, "image/heic", null, null, 10L, null,
                        null, null, at);
            };
            out.add(r);
        }
        return out;
    }

    /** {@code n} share commands: links created (with and without password, version, expiry) and some revoked. */
    public static List<ShareCommand> shares(String run, int n) {
        List<ShareCommand> out = new ArrayList<>();
        Instant base = Instant.parse("2026-11-30T16:00:00.987654321Z");
        for (int i = 0; i < n; i++) {
            Instant at = base.plusSeconds(i * 3_600L * 11);
            boolean revoke = i % 4 == 3;
            int link = revoke ? i - 1 : i;
            out.add(new ShareCommand(run + "-c" + i, revoke ? ShareCommand.Type.REVOKE : ShareCommand.Type.CREATE,
                    run + "-link-" + link, i % 2 == 0 ? "photos-eu" : "docs-us", "sh/" + run + "-" + link + ".pdf",
                    revoke ? null : "sha256-" + link, i % 3 == 0 ? "v" + i : null,
                    revoke ? null : at.plusSeconds(86_400L * 7), i % 5 == 0 ? "$argon2id$h" + i : null,
                    revoke ? null : i % 2 == 0, "key:ops-" + (i % 2), "198.51.100." + i, at));
        }
        return out;
    }
}
