package dev.filetrail.streams.shares;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;

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
}
