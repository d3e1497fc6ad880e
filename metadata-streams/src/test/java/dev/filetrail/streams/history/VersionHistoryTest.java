package dev.filetrail.streams.history;

import static dev.filetrail.streams.Facts.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.filetrail.events.Json;
import dev.filetrail.events.Topics;
import dev.filetrail.events.history.ChangeType;
import dev.filetrail.events.history.FileHead;
import dev.filetrail.events.history.FileVersion;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.history.FileVersionChange;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.streams.Facts;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VersionHistoryTest {
    private static final String B = "photos";
    private static final String K = "2025/cat.jpg";
    private static final String OBJ = Topics.objectKey(B, K);
    private final TopologyFixture t = new TopologyFixture();

    @AfterEach
    void close() {
        t.close();
    }

    private final List<FileVersionChange> seen = new java.util.ArrayList<>();

    /** Every history record so far (the fixture's output topic hands each over once). */
    private List<FileVersionChange> seen() {
        seen.addAll(t.changes());
        return seen;
    }

    private List<String> order() {
        return t.storedVersions(OBJ).stream().map(v -> v.version().versionId()).toList();
    }

    @Test
    void aRemovalSaysWhyTheVersionIsGone() {
        t.send(Facts.put(B, K, "v1", "01", at(1))).send(Facts.put(B, K, "v2", "02", at(2)))
                .send(Facts.put(B, K, "v3", "03", at(3)));
        t.changes();
        t.send(Facts.remove(B, K, "v1", "04", at(4)));
        t.send(Facts.expire(B, K, "v2", "05", at(5)));
        t.send(Facts.expire(B, K, "v3", "06", at(6)));
        assertThat(t.changes()).extracting(c -> c.versionId() + ":" + c.removalReason()).containsExactly(
                "v1:" + dev.filetrail.events.history.FileVersionChange.DELETED,
                "v2:" + dev.filetrail.events.history.FileVersionChange.NONCURRENT_EXPIRATION,
                "v3:" + dev.filetrail.events.history.FileVersionChange.LIFECYCLE_EXPIRATION);
    }

    @Test
    void versionsAreOrderedBySequencerWithShorterOnesPaddedAndLateOnesPlaced() {
        // "0A1" pads to "0A10" which is above "0A0F" and below "0A2": string order alone would get this wrong.
        t.send(Facts.put(B, K, "v3", "0A2", at(3)), Facts.put(B, K, "v1", "0A0F", at(1)),
                Facts.put(B, K, "v2", "0A1", at(2)));
        assertThat(order()).containsExactly("v1", "v2", "v3");
        FileHead head = t.storedHead(OBJ);
        assertThat(head.currentVersionId()).isEqualTo("v3");
        assertThat(head.versionCount()).isEqualTo(3);
        assertThat(head.deleted()).isFalse();
        List<FileVersionChange> changes = t.changes();
        assertThat(changes).extracting(FileVersionChange::change).containsOnly(ChangeType.VERSION_CREATED);
        // The late v1 and v2 are placed below v3: the head they carry stays at v3.
        assertThat(changes.get(2).head().currentVersionId()).isEqualTo("v3");
        assertThat(changes.get(2).version().sequencer()).isEqualTo("0A1");
    }

    @Test
    void eachVersionCarriesItsFacts() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        FileVersion v = t.changes().get(0).version();
        assertThat(v.versionId()).isEqualTo("v1");
        assertThat(v.sequencer()).isEqualTo("01");
        assertThat(v.size()).isEqualTo(102L);
        assertThat(v.eTag()).isEqualTo("etag-v1-01");
        assertThat(v.storageClass()).isEqualTo("STANDARD");
        assertThat(v.createdAt()).isEqualTo(at(1));
        assertThat(v.requester()).isEqualTo("AWS:AIDAEXAMPLE");
        assertThat(v.deleteMarker()).isFalse();
    }

    @Test
    void aDuplicateEventIdChangesNothing() {
        var put = Facts.put(B, K, "v1", "01", at(1));
        t.send(put);
        assertThat(t.changes()).hasSize(1);
        t.audit();
        t.heads();
        t.send(put, put);
        assertThat(t.changes()).isEmpty();
        assertThat(t.audit()).isEmpty();
        assertThat(t.heads()).isEmpty();
        assertThat(t.metrics().count("object-events", "same_fact")).isEqualTo(2);
    }

    @Test
    void deleteMarkersAreEntriesAndTheirRemovalUndeletes() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.marker(B, K, "m1", "02", at(2)));
        FileHead deleted = t.storedHead(OBJ);
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.currentVersionId()).isNull();
        assertThat(deleted.latestVersionId()).isEqualTo("m1");
        assertThat(deleted.deleteMarkerCount()).isEqualTo(1);
        assertThat(order()).containsExactly("v1", "m1");

        t.changes();
        t.send(Facts.remove(B, K, "m1", "03", at(3)));
        FileHead undeleted = t.storedHead(OBJ);
        assertThat(undeleted.deleted()).isFalse();
        assertThat(undeleted.currentVersionId()).isEqualTo("v1");
        assertThat(undeleted.deleteMarkerCount()).isZero();
        List<FileVersionChange> changes = t.changes();
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.change()).isEqualTo(ChangeType.VERSION_REMOVED);
            assertThat(c.version().deleteMarker()).isTrue();
            assertThat(c.head().currentVersionId()).isEqualTo("v1");
        });
    }

    @Test
    void aMarkerBelowANewerVersionDoesNotDelete() {
        t.send(Facts.put(B, K, "v2", "03", at(3)), Facts.marker(B, K, "m1", "02", at(2)),
                Facts.put(B, K, "v1", "01", at(1)));
        assertThat(order()).containsExactly("v1", "m1", "v2");
        assertThat(t.storedHead(OBJ).deleted()).isFalse();
        assertThat(t.storedHead(OBJ).currentVersionId()).isEqualTo("v2");
    }

    @Test
    void permanentDeletionRemovesOneVersionAndTheHeadFallsBack() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.put(B, K, "v2", "02", at(2)),
                Facts.remove(B, K, "v2", "03", at(3)));
        assertThat(order()).containsExactly("v1");
        assertThat(t.storedHead(OBJ).currentVersionId()).isEqualTo("v1");
        assertThat(t.storedHead(OBJ).versionCount()).isEqualTo(1);
        assertThat(t.latestHeads().get(OBJ).currentVersionId()).isEqualTo("v1");
    }

    @Test
    void aRemovalThatOvertakesItsCreationKeepsTheVersionGone() {
        t.send(Facts.remove(B, K, "v2", "03", at(3)), Facts.put(B, K, "v1", "01", at(1)),
                Facts.put(B, K, "v2", "02", at(2)));
        assertThat(order()).containsExactly("v1");
        assertThat(t.storedHead(OBJ).currentVersionId()).isEqualTo("v1");
    }

    @Test
    void lifecycleExpirationsRemoveVersionsAndTheLastOneTombstonesTheFile() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.marker(B, K, "m1", "02", at(2)));
        t.heads();
        t.send(Facts.expire(B, K, "v1", "03", at(3)));
        assertThat(t.storedHead(OBJ).versionCount()).isZero();
        assertThat(t.storedHead(OBJ).deleteMarkerCount()).isEqualTo(1);
        // S3 then expires the "expired object delete marker": nothing is left.
        t.send(Facts.expire(B, K, "m1", "04", at(4)));
        assertThat(order()).isEmpty();
        assertThat(t.storedHead(OBJ)).isNull();
        Map<String, FileHead> heads = t.latestHeads();
        assertThat(heads).containsKey(OBJ);
        assertThat(heads.get(OBJ)).isNull();
    }

    @Test
    void transitionsSettleOnTheNewestStorageClassWhateverTheArrivalOrder() {
        t.send(Facts.put(B, K, "v1", "01", at(1)),
                Facts.transition(B, K, "v1", "GLACIER", at(300)),
                Facts.transition(B, K, "v1", "STANDARD_IA", at(200)));
        assertThat(t.storedVersions(OBJ).get(0).version().storageClass()).isEqualTo("GLACIER");
        assertThat(t.storedHead(OBJ).storageClass()).isEqualTo("GLACIER");
        assertThat(t.changes()).extracting(FileVersionChange::change).containsExactly(ChangeType.VERSION_CREATED,
                ChangeType.STORAGE_CLASS_CHANGED, ChangeType.STORAGE_CLASS_CHANGED);
    }

    @Test
    void intelligentTieringChangesTheStorageClassToo() {
        var tiering = Facts.event(ObjectEventType.STORAGE_CLASS_CHANGED, "IntelligentTiering", B, K, "v1", null,
                at(50), null, null, "INTELLIGENT_TIERING", "s3-notification");
        t.send(Facts.put(B, K, "v1", "01", at(1)), tiering);
        assertThat(t.storedVersions(OBJ).get(0).version().storageClass()).isEqualTo("INTELLIGENT_TIERING");
    }

    @Test
    void restoresRecordStateAndExpiry() {
        var expiry = at(86_400);
        t.send(Facts.put(B, K, "v1", "01", at(1)),
                Facts.restore(B, K, "v1", ObjectEventType.RESTORE_COMPLETED, at(20), expiry),
                Facts.restore(B, K, "v1", ObjectEventType.RESTORE_INITIATED, at(10), null));
        FileVersion.Restore restore = t.storedVersions(OBJ).get(0).version().restore();
        assertThat(restore.status()).isEqualTo(FileVersion.Restore.COMPLETED);
        assertThat(restore.expiresAt()).isEqualTo(expiry);
        t.send(Facts.restore(B, K, "v1", ObjectEventType.RESTORE_EXPIRED, at(86_401), null));
        assertThat(t.storedVersions(OBJ).get(0).version().restore().status()).isEqualTo(FileVersion.Restore.EXPIRED);
        assertThat(t.changes()).extracting(FileVersionChange::change).contains(ChangeType.RESTORE_CHANGED);
    }

    @Test
    void tagChangesAreRecorded() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.tags(B, K, "v1", true, at(5)),
                Facts.tags(B, K, "v1", false, at(4)));
        assertThat(t.storedVersions(OBJ).get(0).version().tagsChangedAt()).isEqualTo(at(5));
        assertThat(t.changes()).extracting(FileVersionChange::change)
                .containsExactly(ChangeType.VERSION_CREATED, ChangeType.TAGS_CHANGED, ChangeType.TAGS_CHANGED);
    }

    @Test
    void tagValuesFlowIntoTheVersionFromTheMetadataResultAndFromTagReads() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        // Tags set at upload come with the metadata Lambda's result for the new version.
        t.send(Facts.metadata(B, K, "v1", at(2)).withTags(Map.of("team", "blue"), at(2)));
        assertThat(t.storedVersions(OBJ).get(0).version().tags()).isEqualTo(Map.of("team", "blue"));
        FileVersionChange attached = seen().get(seen().size() - 1);
        assertThat(attached.change()).isEqualTo(ChangeType.DERIVATIVES_ATTACHED);
        assertThat(attached.version().tags()).isEqualTo(Map.of("team", "blue"));

        // A tagging event: the tags read before it are no longer known to be current (null) until its read comes.
        t.send(Facts.tags(B, K, "v1", true, at(5)));
        FileVersionChange tagged = seen().get(seen().size() - 1);
        assertThat(tagged.change()).isEqualTo(ChangeType.TAGS_CHANGED);
        assertThat(tagged.version().tags()).isNull();
        t.send(Facts.tagRead(B, K, "v1", Map.of("team", "red", "stage", "final"), at(6)));
        FileVersionChange read = seen().get(seen().size() - 1);
        assertThat(read.change()).isEqualTo(ChangeType.TAGS_CHANGED);
        assertThat(read.version().tags()).isEqualTo(Map.of("team", "red", "stage", "final"));
        assertThat(read.version().tagsFetchedAt()).isEqualTo(at(6));
        assertThat(read.eventTime()).isEqualTo(at(6));
        // Its audit event names the values.
        var audits = t.audit();
        var audit = audits.get(audits.size() - 1);
        assertThat(audit.type()).isEqualTo(dev.filetrail.events.audit.AuditTypes.TAGS_CHANGED);
        assertThat(Json.MAPPER.valueToTree(audit.data()).path("tags").path("stage").asText()).isEqualTo("final");

        // Tags removed: {}.
        t.send(Facts.tags(B, K, "v1", false, at(8))).send(Facts.tagRead(B, K, "v1", Map.of(), at(9)));
        assertThat(t.storedVersions(OBJ).get(0).version().tags()).isEmpty();
        // The history record on the wire carries them as a JSON object.
        FileVersionChange last = seen().get(seen().size() - 1);
        assertThat(Json.writeString(last)).contains("\"tags\":{}");
    }

    @Test
    void anOlderTagReadArrivingLateNeverOverwritesANewerOne() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.tags(B, K, "v1", true, at(5)),
                Facts.tags(B, K, "v1", true, at(7)));
        t.send(Facts.tagRead(B, K, "v1", Map.of("n", "second"), at(8)));
        int changes = seen().size();
        // The read caused by the first event was made before the second tagging: it answers late, and loses.
        t.send(Facts.tagRead(B, K, "v1", Map.of("n", "first"), at(6)));
        assertThat(t.storedVersions(OBJ).get(0).version().tags()).isEqualTo(Map.of("n", "second"));
        assertThat(seen()).as("nothing recorded for the stale read").hasSize(changes);
        // A tagging event older than the read shown leaves the tags known; the same tags read again are silent.
        t.send(Facts.tags(B, K, "v1", false, at(7).plusMillis(500)));
        assertThat(t.storedVersions(OBJ).get(0).version().tags()).isEqualTo(Map.of("n", "second"));
        int afterEvent = seen().size();
        t.send(Facts.tagRead(B, K, "v1", Map.of("n", "second"), at(9)));
        assertThat(seen()).hasSize(afterEvent);
        assertThat(t.storedVersions(OBJ).get(0).version().tagsFetchedAt()).isEqualTo(at(9));
    }

    @Test
    void aTagReadWaitsForItsVersionAndOneForAGoneVersionIsIgnored() {
        t.send(Facts.tagRead(B, K, "v1", Map.of("a", "1"), at(3)));
        assertThat(seen()).isEmpty();
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        assertThat(t.storedVersions(OBJ).get(0).version().tags()).isEqualTo(Map.of("a", "1"));
        int changes = seen().size();
        t.send(new dev.filetrail.events.processing.ProcessingResult("skipped-tags",
                dev.filetrail.events.processing.ProcessingResult.TAGS, B, K, "v2",
                dev.filetrail.events.processing.ProcessingResult.Status.SKIPPED, "source version no longer exists",
                null, null, null, null, null, null, null, at(4)));
        assertThat(seen()).hasSize(changes);
        assertThat(t.parked()).isEmpty();
    }

    @Test
    void eventsWithoutSequencerWaitForTheVersionTheyName() {
        t.send(Facts.transition(B, K, "v1", "GLACIER", at(300)), Facts.tags(B, K, "v1", true, at(5)));
        assertThat(t.changes()).isEmpty();
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        FileVersion v = t.storedVersions(OBJ).get(0).version();
        assertThat(v.storageClass()).isEqualTo("GLACIER");
        assertThat(v.tagsChangedAt()).isEqualTo(at(5));
        // Applied in the facts' time order after the creation.
        assertThat(t.changes()).extracting(FileVersionChange::change).containsExactly(ChangeType.VERSION_CREATED,
                ChangeType.TAGS_CHANGED, ChangeType.STORAGE_CLASS_CHANGED);
    }

    private static final Duration HORIZON = MetadataStreamsConfig.DEFAULT_DEDUPE_HORIZON;

    @Test
    void parkedItemsOlderThanTheHorizonAreSweptWithoutOutputAndOnlyYoungerOnesAttach() {
        t.send(Facts.tags(B, K, "v1", true, at(5)));
        t.advance(HORIZON.minus(Duration.ofHours(1)));
        t.send(Facts.thumbnails(B, K, "v2", at(10)));
        assertThat(t.parked()).hasSize(2);
        assertThat(t.versionStore().summary(OBJ).parked()).isEqualTo(2);

        // Stream time moves past the horizon of the tags event (not of the result) on a record of another object.
        t.advance(Duration.ofHours(2));
        t.send(Facts.put(B, "other.txt", "o1", "01", at(20)));
        t.changes();
        t.heads();
        t.audit();
        assertThat(t.parked()).singleElement().satisfies(p -> assertThat(p.result()).isNotNull());
        assertThat(t.versionStore().summary(OBJ).parked()).isEqualTo(1);
        assertThat(t.metrics().count("object-events", "expired")).isEqualTo(1);
        assertThat(t.metrics().count("processing-results", "expired")).isZero();
        // The sweep emitted nothing.
        assertThat(t.changes()).isEmpty();
        assertThat(t.heads()).isEmpty();
        assertThat(t.audit()).isEmpty();

        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.put(B, K, "v2", "02", at(2)));
        assertThat(t.changes()).extracting(FileVersionChange::change, FileVersionChange::versionId).containsExactly(
                tuple(ChangeType.VERSION_CREATED, "v1"), tuple(ChangeType.VERSION_CREATED, "v2"),
                tuple(ChangeType.DERIVATIVES_ATTACHED, "v2"));
        List<StoredVersion> stored = t.storedVersions(OBJ);
        assertThat(stored.get(0).version().tagsChangedAt()).isNull();
        assertThat(stored.get(1).version().derivatives().thumbnails()).hasSize(1);
        assertThat(t.parked()).isEmpty();
        assertThat(t.versionStore().summary(OBJ).parked()).isZero();
    }

    @Test
    void aVersionArrivingPastTheHorizonIgnoresItsExpiredItemsEvenBeforeASweep() {
        t.send(Facts.transition(B, K, "v1", "GLACIER", at(5)));
        // The creation itself is the first record past the horizon: the item is expired by the same rule the
        // sweep uses, so the outcome does not depend on when punctuations fall (replays give the same outputs).
        t.advance(HORIZON.plusMillis(1));
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        assertThat(t.changes()).extracting(FileVersionChange::change).containsExactly(ChangeType.VERSION_CREATED);
        assertThat(t.storedVersions(OBJ).get(0).version().storageClass()).isNotEqualTo("GLACIER");
        assertThat(t.metrics().count("object-events", "expired")).isEqualTo(1);
        assertThat(t.parked()).isEmpty();
        assertThat(t.versionStore().summary(OBJ).parked()).isZero();
    }

    @Test
    void anItemParkedExactlyAHorizonAgoStillAttaches() {
        t.send(Facts.transition(B, K, "v1", "GLACIER", at(5)));
        t.advance(HORIZON.minusMillis(1));
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        assertThat(t.changes()).extracting(FileVersionChange::change)
                .containsExactly(ChangeType.VERSION_CREATED, ChangeType.STORAGE_CLASS_CHANGED);
        assertThat(t.metrics().count("object-events", "expired")).isZero();
    }

    @Test
    void itemsParkedBeforeTheirParkingTimeWasRecordedAgeFromTheirFactTime() {
        Parked old = Json.read("{\"result\":null,\"event\":null,\"time\":\"2025-03-01T10:00:05Z\"}",
                Parked.class);
        assertThat(old.parkedAt()).isNull();
        assertThat(old.parkedAtMs()).isEqualTo(at(5).toEpochMilli());
    }

    @Test
    void processingResultsAttachToTheirVersionAlsoWhenTheyArriveFirst() {
        t.send(Facts.thumbnails(B, K, "v2", at(10)));
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.put(B, K, "v2", "02", at(2)));
        t.send(Facts.metadata(B, K, "v2", at(11)));
        t.send(Facts.metadata(B, K, "v1", at(12)));
        List<StoredVersion> stored = t.storedVersions(OBJ);
        FileVersion.Derivatives d2 = stored.get(1).version().derivatives();
        assertThat(d2.thumbnails()).hasSize(1);
        assertThat(d2.sha256()).isEqualTo("abc123");
        assertThat(d2.exif().cameraMake()).isEqualTo("Canon");
        assertThat(d2.width()).isEqualTo(640);
        assertThat(stored.get(0).version().derivatives().thumbnails()).isNull();
        assertThat(t.storedHead(OBJ).contentType()).isEqualTo("image/jpeg");
        assertThat(t.changes()).filteredOn(c -> c.change() == ChangeType.DERIVATIVES_ATTACHED)
                .extracting(FileVersionChange::versionId).containsExactly("v2", "v2", "v1");
    }

    @Test
    void aProcessorsSuccessAfterItsFailureClearsThatFailureButNotAnotherProcessors() {
        t.send(Facts.put(B, K, "v1", "01", at(1)));
        t.send(failed(ProcessingResult.THUMBNAILER, "v1", "decoder ran out of memory", at(2)));
        assertThat(t.storedVersions(OBJ).get(0).version().derivatives().failureReason())
                .isEqualTo(ProcessingResult.THUMBNAILER + ": decoder ran out of memory");
        t.send(Facts.metadata(B, K, "v1", at(3)));
        assertThat(t.storedVersions(OBJ).get(0).version().derivatives().failureReason())
                .as("another processor's success leaves the failure").startsWith(ProcessingResult.THUMBNAILER + ": ");
        t.send(Facts.thumbnails(B, K, "v1", at(4)));
        FileVersion.Derivatives cured = t.storedVersions(OBJ).get(0).version().derivatives();
        assertThat(cured.failureReason()).isNull();
        assertThat(cured.thumbnails()).hasSize(1);
        assertThat(cured.sha256()).isEqualTo("abc123");
    }

    private static ProcessingResult failed(String processor, String versionId, String reason, Instant at) {
        return new ProcessingResult("failed-" + processor + versionId + at, processor, B, K, versionId,
                ProcessingResult.Status.FAILED, reason, null, null, null, null, null, null, null, at);
    }

    @Test
    void aResultForARemovedVersionIsDropped() {
        t.send(Facts.put(B, K, "v1", "01", at(1)), Facts.remove(B, K, "v1", "02", at(2)));
        t.changes();
        t.send(Facts.thumbnails(B, K, "v1", at(3)));
        assertThat(t.changes()).isEmpty();
    }

    @Test
    void unversionedPutsReplaceTheSingleEntryAndHistoryRecordsEach() {
        t.send(Facts.put(B, K, null, "01", at(1)), Facts.put(B, K, null, "02", at(2)));
        List<StoredVersion> stored = t.storedVersions(OBJ);
        assertThat(stored).singleElement().satisfies(v -> {
            assertThat(v.version().versionId()).isEqualTo("null");
            assertThat(v.version().sequencer()).isEqualTo("02");
        });
        assertThat(t.storedHead(OBJ).versionCount()).isEqualTo(1);
        assertThat(t.changes()).extracting(FileVersionChange::change)
                .containsExactly(ChangeType.VERSION_CREATED, ChangeType.VERSION_CREATED);
        // A late older PUT is superseded.
        t.send(Facts.put(B, K, null, "01F", at(1)));
        assertThat(t.storedVersions(OBJ).get(0).version().sequencer()).isEqualTo("02");
        // An unversioned DELETE removes it; a newer PUT brings it back, an older one does not.
        t.send(Facts.remove(B, K, null, "03", at(3)), Facts.put(B, K, null, "025", at(2)));
        assertThat(t.storedVersions(OBJ)).isEmpty();
        t.send(Facts.put(B, K, null, "04", at(4)));
        assertThat(t.storedVersions(OBJ)).singleElement()
                .satisfies(v -> assertThat(v.version().sequencer()).isEqualTo("04"));
    }

    @Test
    void backfilledVersionsNeverDoubleLiveOnesAndSortByLastModifiedBeforeLiveOnes() {
        t.send(Facts.put(B, K, "v3", "0F", at(300)));
        t.send(Facts.backfill(B, K, "v3", at(300)), Facts.backfill(B, K, "v2", at(200)),
                Facts.backfill(B, K, "v1", at(100)));
        assertThat(order()).containsExactly("v1", "v2", "v3");
        assertThat(t.storedHead(OBJ).versionCount()).isEqualTo(3);
        // A live event for a backfilled version is the same fact.
        t.send(Facts.put(B, K, "v2", "0A", at(200)));
        assertThat(order()).containsExactly("v1", "v2", "v3");
        assertThat(t.storedHead(OBJ).versionCount()).isEqualTo(3);
    }

    @Test
    void noRecordGrowsWithTheNumberOfVersions() {
        int n = 2_000;
        int firstSize = 0;
        int lastSize = 0;
        for (int i = 1; i <= n; i++) {
            t.send(Facts.put(B, K, String.format("v%05d", i), String.format("%08X", i), at(i)));
            List<FileVersionChange> changes = t.changes();
            int size = Json.write(changes.get(0)).length;
            if (i == 2) {
                firstSize = size;
            }
            lastSize = size;
        }
        assertThat(t.storedHead(OBJ).versionCount()).isEqualTo(n);
        assertThat(t.storedHead(OBJ).currentVersionId()).isEqualTo(String.format("v%05d", n));
        // Only the digits of the counts and ids differ.
        assertThat(lastSize - firstSize).isLessThan(16);
        assertThat(Json.write(t.storedHead(OBJ)).length).isLessThan(400);
    }
}
