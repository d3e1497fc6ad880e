package dev.filetrail.events.share;

import dev.filetrail.events.Topics;
import java.time.Instant;

/**
 * A request about a share link, written by the query API to {@code filetrail.share-commands.v1} and keyed by
 * {@code bucket/key} so that the link is decided against that object's history in the same partition.
 */
public record ShareCommand(
        String commandId,
        Type type,
        String linkId,
        String bucket,
        String key,
        String tokenSha256,
        String versionId,
        Instant expiresAt,
        String passwordHash,
        Boolean allowDownload,
        String actor,
        String clientAddress,
        Instant issuedAt) {

    /**
     * What the command asks for. RECORD_ACCESS and URL_ISSUED are no longer written (access events carry them, see
     * {@code AccessEvent}); the streams still read them, so a log that holds them replays to the same outputs.
     */
    public enum Type { CREATE, REVOKE, RECORD_ACCESS, URL_ISSUED }

    public String recordKey() {
        return Topics.objectKey(bucket, key);
    }
}
