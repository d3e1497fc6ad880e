package dev.filetrail.launcher.reprocess;

/**
 * One version the processors are to see again, as the read model knows it.
 *
 * @param versionId S3's version id, or {@code null} (the literal) for an object of an unversioned bucket
 * @param reason    why: {@code no-derivatives} (no processor result at all, e.g. backfilled), {@code no-metadata}
 *                  (a thumbnail but no metadata result), {@code failed} (a processor recorded a failure)
 */
public record Candidate(String key, String versionId, Long size, String eTag, String sequencer, String reason) {
}
