package dev.filetrail.streams.shares;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.events.access.AccessEvent;
import dev.filetrail.events.audit.AuditTypes;
import dev.filetrail.events.audit.CloudEvent;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.TopologyFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShareLinksTest {
    private static final String B = "docs";
    private static final String K = "report.pdf";
    private final TopologyFixture t = new TopologyFixture();

    @AfterEach
    void close() {
        t.close();
    }

    private ShareLink latest;

    /** The newest share-links record so far (reading drains the topic, so the last one read is kept). */
    private ShareLink last() {
        List<ShareLink> links = t.links();
        if (!links.isEmpty()) {
            latest = links.get(links.size() - 1);
        }
        assertThat(latest).isNotNull();
        return latest;
    }

    @Test
    void aCreateOnAMissingKeyIsRejectedWithAReason() {
        t.send(Facts.createLink("c1", "L1", B, K, null, at(1)));
        ShareLink link = last();
        assertThat(link.status()).isEqualTo(ShareLink.Status.REJECTED);
        assertThat(link.statusReason()).contains("does not exist");
        assertThat(link.opensAt(at(2))).isFalse();
        assertThat(t.audit()).extracting(CloudEvent::type).containsExactly(AuditTypes.SHARE_REJECTED);
    }

    @Test
    void aCreateOnAMissingOrMarkerVersionIsRejected() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.marker(B, K, "m1", "02", at(2)));
        t.send(Facts.createLink("c1", "L1", B, K, "v9", at(3)));
        assertThat(last().statusReason()).contains("version v9").contains("does not exist");
        t.send(Facts.createLink("c2", "L2", B, K, "m1", at(3)));
        assertThat(last().statusReason()).contains("delete marker");
        t.send(Facts.createLink("c3", "L3", B, K, null, at(3)));
        assertThat(last().status()).isEqualTo(ShareLink.Status.REJECTED);
        assertThat(last().statusReason()).contains("is deleted");
        // A pinned link to a live version under a delete marker is fine.
        t.send(Facts.createLink("c4", "L4", B, K, "v1", at(3)));
        assertThat(last().status()).isEqualTo(ShareLink.Status.ACTIVE);
        assertThat(last().resolvedVersionId()).isEqualTo("v1");
    }

    @Test
    void aFollowLatestLinkTracksTheCurrentVersionThroughDeleteAndUndelete() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        t.send(Facts.createLink("c1", "L1", B, K, null, at(2)));
        ShareLink created = last();
        assertThat(created.status()).isEqualTo(ShareLink.Status.ACTIVE);
        assertThat(created.resolvedVersionId()).isEqualTo("v1");
        assertThat(created.tokenSha256()).isEqualTo("sha-L1");
        assertThat(created.createdBy()).isEqualTo("alice");
        assertThat(created.opensAt(at(3))).isTrue();
        assertThat(created.opensAt(at(3).plusSeconds(90_000))).isFalse();

        t.send(Facts.put(B, K, "v2", "03", at(3)));
        assertThat(last().resolvedVersionId()).isEqualTo("v2");
        t.send(Facts.marker(B, K, "m1", "04", at(4)));
        assertThat(last().resolvedVersionId()).isNull();
        assertThat(last().status()).isEqualTo(ShareLink.Status.ACTIVE);
        assertThat(last().opensAt(at(5))).isFalse();
        t.send(Facts.remove(B, K, "m1", "05", at(5)));
        assertThat(last().resolvedVersionId()).isEqualTo("v2");
        assertThat(last().opensAt(at(6))).isTrue();
    }

    @Test
    void aPinnedLinkDiesWhenItsVersionIsPermanentlyDeleted() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.put(B, K, "v2", "02", at(2)));
        t.send(Facts.createLink("c1", "L1", B, K, "v1", at(3)));
        t.links();
        t.send(Facts.put(B, K, "v3", "03", at(4)));
        assertThat(t.links()).as("a pinned link ignores new versions").isEmpty();
        t.send(Facts.remove(B, K, "v1", "04", at(5)));
        ShareLink dead = last();
        assertThat(dead.status()).isEqualTo(ShareLink.Status.VERSION_DELETED);
        assertThat(dead.resolvedVersionId()).isNull();
        assertThat(dead.statusReason()).contains("v1");
    }

    @Test
    void aRevokedLinkStaysRevoked() {
        t.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.createLink("c1", "L1", B, K, null, at(2)));
        t.send(Facts.command(ShareCommand.Type.REVOKE, "c2", "L1", B, K, at(3)));
        ShareLink revoked = last();
        assertThat(revoked.status()).isEqualTo(ShareLink.Status.REVOKED);
        assertThat(revoked.revokedAt()).isEqualTo(at(3));
        assertThat(revoked.revokedBy()).isEqualTo("alice");
        t.send(Facts.put(B, K, "v2", "02", at(4)));
        assertThat(t.links()).isEmpty();
        assertThat(t.audit()).extracting(CloudEvent::type).contains(AuditTypes.SHARE_CREATED, AuditTypes.SHARE_REVOKED);
    }

    @Test
    void accessIsCountedOncePerCommand() {
        t.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.createLink("c1", "L1", B, K, null, at(2)));
        var open = Facts.command(ShareCommand.Type.RECORD_ACCESS, "c2", "L1", B, K, at(5));
        t.send(open).send(open).send(Facts.command(ShareCommand.Type.RECORD_ACCESS, "c3", "L1", B, K, at(4)));
        ShareLink link = last();
        assertThat(link.accessCount()).isEqualTo(2);
        assertThat(link.lastAccessAt()).isEqualTo(at(5));
        assertThat(t.audit()).filteredOn(e -> e.type().equals(AuditTypes.SHARE_OPENED)).hasSize(2);
    }

    @Test
    void aSecondCreateForTheSameLinkIsIgnored() {
        t.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.createLink("c1", "L1", B, K, null, at(2)));
        t.links();
        t.send(Facts.createLink("c9", "L1", B, K, "v1", at(3)));
        assertThat(t.links()).isEmpty();
    }

    @Test
    void urlIssuedOnlyWritesAudit() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        t.audit();
        t.send(new ShareCommand("c1", ShareCommand.Type.URL_ISSUED, null, B, K, null, "v1", at(600), null, null,
                "bob", "192.0.2.1", at(2)));
        assertThat(t.links()).isEmpty();
        List<CloudEvent> audit = t.audit();
        assertThat(audit).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(AuditTypes.URL_ISSUED);
            assertThat(e.time()).isEqualTo(at(2));
            assertThat(e.data().get("versionId").asText()).isEqualTo("v1");
            assertThat(e.data().get("actor").asText()).isEqualTo("bob");
        });
    }

    @Test
    void accessEventsCountOpeningsOncePerEventAndAuditIssuedUrls() {
        t.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.createLink("c1", "L1", B, K, null, at(2)));
        var open = new AccessEvent("a1", AccessEvent.Type.SHARE_OPENED, "L1", B, K, "v1", null, "public",
                "192.0.2.7", at(5));
        t.send(open).send(open);
        t.send(new AccessEvent("a2", AccessEvent.Type.URL_ISSUED, "L1", B, K, "v1", at(600), "share:L1", "192.0.2.7",
                at(6)));
        ShareLink link = last();
        assertThat(link.accessCount()).isEqualTo(1);
        assertThat(link.lastAccessAt()).isEqualTo(at(5));
        assertThat(link.lastCommandId()).isEqualTo("a1");
        assertThat(t.audit()).filteredOn(e -> e.type().equals(AuditTypes.SHARE_OPENED)
                || e.type().equals(AuditTypes.URL_ISSUED)).satisfiesExactly(
                opened -> {
                    assertThat(opened.type()).isEqualTo(AuditTypes.SHARE_OPENED);
                    assertThat(opened.data().get("accessCount").asLong()).isEqualTo(1);
                    assertThat(opened.data().get("clientAddress").asText()).isEqualTo("192.0.2.7");
                },
                issued -> {
                    assertThat(issued.type()).isEqualTo(AuditTypes.URL_ISSUED);
                    assertThat(issued.time()).isEqualTo(at(6));
                    assertThat(issued.data().get("linkId").asText()).isEqualTo("L1");
                });
    }

    @Test
    void anOpeningWithoutItsLinkIsDeadLettered() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        t.send(new AccessEvent("a1", AccessEvent.Type.SHARE_OPENED, null, B, K, "v1", null, "public", null, at(2)));
        assertThat(t.deadLetters()).hasSize(1);
        assertThat(t.audit()).filteredOn(e -> e.type().equals(AuditTypes.SHARE_OPENED)).isEmpty();
    }

    /** A log written before access events had their topic replays to exactly what the new records produce. */
    @Test
    void legacyAccessCommandsReplayToTheOutputsOfAccessEvents() {
        try (TopologyFixture legacy = new TopologyFixture()) {
            for (TopologyFixture f : List.of(t, legacy)) {
                f.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.createLink("c1", "L1", B, K, null, at(2)));
            }
            legacy.send(new ShareCommand("c2", ShareCommand.Type.RECORD_ACCESS, "L1", B, K, "hash", "v1", null, null,
                    null, "public", "192.0.2.7", at(3)));
            legacy.send(new ShareCommand("c3", ShareCommand.Type.URL_ISSUED, null, B, K, null, "v1", at(600), null,
                    null, "key:k1", "192.0.2.8", at(4)));
            t.send(new AccessEvent("c2", AccessEvent.Type.SHARE_OPENED, "L1", B, K, "v1", null, "public", "192.0.2.7",
                    at(3)));
            t.send(new AccessEvent("c3", AccessEvent.Type.URL_ISSUED, null, B, K, "v1", at(600), "key:k1",
                    "192.0.2.8", at(4)));
            List<CloudEvent> audit = t.audit();
            assertThat(audit).extracting(CloudEvent::type).containsExactly(AuditTypes.VERSION_CREATED,
                    AuditTypes.SHARE_CREATED,
                    AuditTypes.SHARE_OPENED, AuditTypes.URL_ISSUED);
            assertThat(legacy.audit()).isEqualTo(audit);
            assertThat(legacy.links()).isEqualTo(t.links());
        }
    }
}
