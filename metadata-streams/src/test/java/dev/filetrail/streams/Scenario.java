package dev.filetrail.streams;

import dev.filetrail.events.Topics;
import dev.filetrail.events.object.ObjectEvent;
import dev.filetrail.events.object.ObjectEventType;
import dev.filetrail.events.object.Sequencer;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.events.share.ShareCommand;
import dev.filetrail.events.share.ShareLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A random but reproducible workload for one bucket: S3 operations on versioned and unversioned keys, processing
 * results, and share commands, delivered shuffled (bounded displacement) and with duplicates, plus the final state a
 * simple reference model expects. The reference model is order-free: a version exists iff the op with the highest
 * sequencer on its id is a creation; the head is the highest-sequencer entry; a transition's newest eventTime wins.
 */
public final class Scenario {
    /** One record to produce, in delivery order. */
    public record Delivery(String topic, String key, byte[] value) {
    }

    /** What one version should look like at the end. */
    public record ExpectedVersion(String versionId, String sequencer, boolean deleteMarker, String storageClass,
                                  boolean thumbnails) {
    }

    /** What one object's head should be at the end (null current when deleted). */
    public record ExpectedHead(boolean deleted, String currentVersionId, long versions, long markers) {
    }

    /** What one link should be at the end; resolved is only checked for ACTIVE and VERSION_DELETED links. */
    public record ExpectedLink(ShareLink.Status status, String resolvedVersionId, long accessCount) {
    }

    public final String bucket;
    public final List<Delivery> deliveries = new ArrayList<>();
    public final Map<String, Map<String, ExpectedVersion>> versions = new TreeMap<>();
    public final Map<String, ExpectedHead> heads = new TreeMap<>();
    public final Map<String, ExpectedLink> links = new TreeMap<>();

    private final Random rnd;
    private final Instant start = Instant.parse("2025-05-01T00:00:00Z");
    private long clockMs;

    private Scenario(String bucket, long seed) {
        this.bucket = bucket;
        this.rnd = new Random(seed);
    }

    /** {@code s3Ops} S3 operations and results over {@code keys} keys; share commands come on top (~20%). */
    public static Scenario generate(String bucket, long seed, int keys, int s3Ops) {
        Scenario s = new Scenario(bucket, seed);
        s.build(keys, s3Ops);
        return s;
    }

    private Instant tick() {
        clockMs += 1 + rnd.nextInt(1000);
        return start.plusMillis(clockMs);
    }

    // ---------- the true S3 history ----------

    private final class TrueKey {
        final String key;
        final boolean versioned;
        final List<String[]> entries = new ArrayList<>(); // {versionId, "m"|"v"} oldest first
        long counter;
        int vids;

        TrueKey(String key, boolean versioned) {
            this.key = key;
            this.versioned = versioned;
        }

        String nextSequencer() {
            counter++;
            String hex = String.format("%016X", counter * 16);
            // Strip trailing zeros at random: S3 sequencers differ in length and compare right-padded.
            while (hex.endsWith("0") && rnd.nextBoolean()) {
                hex = hex.substring(0, hex.length() - 1);
            }
            return hex;
        }
    }

    private void build(int keyCount, int s3Ops) {
        List<TrueKey> keys = new ArrayList<>();
        for (int i = 0; i < keyCount; i++) {
            boolean versioned = i % 6 != 5;
            keys.add(new TrueKey((versioned ? "docs/file-" : "plain/file-") + i + (i % 4 == 0 ? " with space" : ""),
                    versioned));
        }
        List<Object> facts = new ArrayList<>();
        for (int n = 0; n < s3Ops; n++) {
            TrueKey k = keys.get(rnd.nextInt(keys.size()));
            Object fact = k.versioned ? versionedOp(k) : unversionedOp(k);
            if (fact != null) {
                facts.add(fact);
            }
        }
        // Deliver with bounded displacement and ~10% duplicates (re-delivered later).
        List<Object> delivery = new ArrayList<>();
        List<double[]> slots = new ArrayList<>();
        for (int i = 0; i < facts.size(); i++) {
            slots.add(new double[] {i + rnd.nextDouble() * 40, i});
            if (rnd.nextInt(10) == 0) {
                slots.add(new double[] {i + 5 + rnd.nextDouble() * 200, i});
            }
        }
        slots.sort(Comparator.comparingDouble(a -> a[0]));
        slots.forEach(s -> delivery.add(facts.get((int) s[1])));

        ReferenceModel model = new ReferenceModel();
        List<String> createdLinks = new ArrayList<>();
        List<String[]> accessCommands = new ArrayList<>();
        int linkSeq = 0;
        int commandSeq = 0;
        for (Object fact : delivery) {
            long ts = start.toEpochMilli() + deliveries.size() + 1;
            if (fact instanceof ObjectEvent e) {
                deliveries.add(new Delivery(Topics.OBJECT_EVENTS.name(), e.recordKey(), Topics.OBJECT_EVENTS.values().encode(e)));
                model.apply(e);
            } else if (fact instanceof ProcessingResult r) {
                deliveries.add(new Delivery(Topics.PROCESSING_RESULTS.name(), r.recordKey(), Topics.PROCESSING_RESULTS.values().encode(r)));
                model.apply(r);
            }
            if (rnd.nextInt(5) == 0) {
                ShareCommand c = shareCommand(keys, model, createdLinks, accessCommands, ++linkSeq, ++commandSeq);
                deliveries.add(new Delivery(Topics.SHARE_COMMANDS.name(), c.recordKey(), Topics.SHARE_COMMANDS.values().encode(c)));
                model.apply(c);
                if (rnd.nextInt(10) == 0) {
                    deliveries.add(new Delivery(Topics.SHARE_COMMANDS.name(), c.recordKey(), Topics.SHARE_COMMANDS.values().encode(c)));
                }
            }
        }
        model.expect(this);
    }

    private Object versionedOp(TrueKey k) {
        int roll = rnd.nextInt(100);
        List<String[]> live = k.entries.stream().filter(e -> e[1].equals("v")).toList();
        Instant t = tick();
        if (roll < 40 || k.entries.isEmpty()) {
            String vid = "v" + (++k.vids) + "-" + Integer.toHexString(rnd.nextInt(0xffff));
            k.entries.add(new String[] {vid, "v"});
            return Facts.put(bucket, k.key, vid, k.nextSequencer(), t);
        }
        if (roll < 52) {
            String vid = "m" + (++k.vids);
            k.entries.add(new String[] {vid, "m"});
            return Facts.marker(bucket, k.key, vid, k.nextSequencer(), t);
        }
        if (roll < 64) {
            String[] victim = k.entries.remove(rnd.nextInt(k.entries.size()));
            return rnd.nextBoolean() ? Facts.remove(bucket, k.key, victim[0], k.nextSequencer(), t)
                    : Facts.expire(bucket, k.key, victim[0], k.nextSequencer(), t);
        }
        if (roll < 70) {
            String[] newest = k.entries.get(k.entries.size() - 1);
            if (!newest[1].equals("m")) {
                return null;
            }
            k.entries.remove(k.entries.size() - 1);
            return Facts.remove(bucket, k.key, newest[0], k.nextSequencer(), t);
        }
        if (live.isEmpty()) {
            return null;
        }
        // Mostly the newest version, so that facts about one version often overtake each other in delivery.
        String vid = live.get(rnd.nextInt(10) < 6 ? live.size() - 1 : rnd.nextInt(live.size()))[0];
        if (roll < 82) {
            String[] classes = {"STANDARD_IA", "GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"};
            return Facts.transition(bucket, k.key, vid, classes[rnd.nextInt(classes.length)], t);
        }
        if (roll < 87) {
            return Facts.tags(bucket, k.key, vid, rnd.nextBoolean(), t);
        }
        return rnd.nextBoolean() ? Facts.thumbnails(bucket, k.key, vid, t) : Facts.metadata(bucket, k.key, vid, t);
    }

    private Object unversionedOp(TrueKey k) {
        Instant t = tick();
        if (rnd.nextInt(10) < 7) {
            return Facts.put(bucket, k.key, null, k.nextSequencer(), t);
        }
        return Facts.remove(bucket, k.key, null, k.nextSequencer(), t);
    }

    private ShareCommand shareCommand(List<TrueKey> keys, ReferenceModel model, List<String> createdLinks,
                                      List<String[]> accessCommands, int linkSeq, int commandSeq) {
        String commandId = bucket + "-C" + commandSeq;
        Instant t = tick();
        int roll = rnd.nextInt(100);
        if (roll < 45 || createdLinks.isEmpty()) {
            TrueKey k = keys.get(rnd.nextInt(keys.size()));
            String linkId = bucket + "-L" + linkSeq;
            createdLinks.add(linkId + "\u0000" + k.key);
            String pinned = null;
            if (k.versioned && rnd.nextBoolean()) {
                List<String> known = new ArrayList<>(model.knownVersions(k.key));
                pinned = known.isEmpty() || rnd.nextInt(8) == 0 ? "no-such-version"
                        : known.get(rnd.nextInt(known.size()));
            }
            return Facts.createLink(commandId, linkId, bucket, k.key, pinned, t);
        }
        String[] link = createdLinks.get(rnd.nextInt(createdLinks.size())).split("\u0000");
        if (roll < 55) {
            return Facts.command(ShareCommand.Type.REVOKE, commandId, link[0], bucket, link[1], t);
        }
        if (roll < 95) {
            return Facts.command(ShareCommand.Type.RECORD_ACCESS, commandId, link[0], bucket, link[1], t);
        }
        return new ShareCommand(commandId, ShareCommand.Type.URL_ISSUED, null, bucket, link[1], null, null,
                t.plusSeconds(600), null, null, "bob", "192.0.2.1", t);
    }

    // ---------- the reference model ----------

    private static final class ReferenceModel {
        /** key -> versionId -> the op with the highest sequencer on it. */
        final Map<String, Map<String, ObjectEvent>> lastOp = new LinkedHashMap<>();
        final Map<String, ObjectEvent> lastTransition = new HashMap<>();
        final Set<String> thumbnails = new HashSet<>();
        final Map<String, ShareCommand> creates = new LinkedHashMap<>();
        final Map<String, ShareLink.Status> createdStatus = new HashMap<>();
        final Map<String, Boolean> revoked = new HashMap<>();
        final Map<String, Set<String>> accesses = new HashMap<>();
        final Set<String> seenCommands = new HashSet<>();

        void apply(ObjectEvent e) {
            String vid = e.versionOrNull();
            String id = e.key() + "\u0000" + vid;
            switch (e.type()) {
                case VERSION_CREATED, DELETE_MARKER_CREATED, VERSION_REMOVED -> {
                    Map<String, ObjectEvent> ops = lastOp.computeIfAbsent(e.key(), x -> new LinkedHashMap<>());
                    ObjectEvent prev = ops.get(vid);
                    if (prev == null || Sequencer.compare(e.sequencer(), prev.sequencer()) > 0) {
                        ops.put(vid, e);
                    }
                }
                case STORAGE_CLASS_CHANGED -> {
                    ObjectEvent prev = lastTransition.get(id);
                    if (prev == null || !e.eventTime().isBefore(prev.eventTime())) {
                        lastTransition.put(id, e);
                    }
                }
                default -> {
                }
            }
        }

        void apply(ProcessingResult r) {
            if (r.thumbnails() != null) {
                thumbnails.add(r.key() + "\u0000" + r.versionId());
            }
        }

        void apply(ShareCommand c) {
            if (!seenCommands.add(c.commandId())) {
                return;
            }
            switch (c.type()) {
                case CREATE -> {
                    if (creates.containsKey(c.linkId())) {
                        return;
                    }
                    creates.put(c.linkId(), c);
                    boolean ok;
                    if (c.versionId() != null) {
                        ObjectEvent op = lastOp.getOrDefault(c.key(), Map.of()).get(c.versionId());
                        ok = op != null && op.type() == ObjectEventType.VERSION_CREATED;
                    } else {
                        ObjectEvent newest = newest(c.key());
                        ok = newest != null && newest.type() == ObjectEventType.VERSION_CREATED;
                    }
                    createdStatus.put(c.linkId(), ok ? ShareLink.Status.ACTIVE : ShareLink.Status.REJECTED);
                }
                case REVOKE -> {
                    if (createdStatus.get(c.linkId()) == ShareLink.Status.ACTIVE) {
                        revoked.put(c.linkId(), true);
                    }
                }
                case RECORD_ACCESS -> {
                    if (createdStatus.get(c.linkId()) == ShareLink.Status.ACTIVE) {
                        accesses.computeIfAbsent(c.linkId(), x -> new HashSet<>()).add(c.commandId());
                    }
                }
                default -> {
                }
            }
        }

        List<ObjectEvent> entries(String key) {
            return lastOp.getOrDefault(key, Map.of()).values().stream()
                    .filter(op -> op.type() != ObjectEventType.VERSION_REMOVED)
                    .sorted(Comparator.comparing(ObjectEvent::sequencer, Sequencer.ORDER)).toList();
        }

        ObjectEvent newest(String key) {
            List<ObjectEvent> entries = entries(key);
            return entries.isEmpty() ? null : entries.get(entries.size() - 1);
        }

        List<String> knownVersions(String key) {
            return lastOp.getOrDefault(key, Map.of()).keySet().stream().sorted().toList();
        }

        void expect(Scenario s) {
            for (String key : lastOp.keySet()) {
                Map<String, ExpectedVersion> versions = new TreeMap<>();
                long count = 0;
                long markers = 0;
                for (ObjectEvent e : entries(key)) {
                    boolean marker = e.type() == ObjectEventType.DELETE_MARKER_CREATED;
                    String vid = e.versionOrNull();
                    ObjectEvent transition = lastTransition.get(key + "\u0000" + vid);
                    String storageClass = marker ? null : transition == null ? "STANDARD" : transition.storageClass();
                    versions.put(vid, new ExpectedVersion(vid, e.sequencer(), marker, storageClass,
                            thumbnails.contains(key + "\u0000" + vid)));
                    count += marker ? 0 : 1;
                    markers += marker ? 1 : 0;
                }
                s.versions.put(key, versions);
                ObjectEvent newest = newest(key);
                if (newest != null) {
                    boolean deleted = newest.type() == ObjectEventType.DELETE_MARKER_CREATED;
                    s.heads.put(key, new ExpectedHead(deleted, deleted ? null : newest.versionOrNull(), count,
                            markers));
                }
            }
            for (var entry : creates.entrySet()) {
                String linkId = entry.getKey();
                ShareCommand c = entry.getValue();
                ShareLink.Status status = createdStatus.get(linkId);
                String resolved = null;
                if (status == ShareLink.Status.ACTIVE) {
                    if (revoked.containsKey(linkId)) {
                        status = ShareLink.Status.REVOKED;
                    } else if (c.versionId() != null) {
                        ObjectEvent op = lastOp.get(c.key()).get(c.versionId());
                        boolean alive = op.type() == ObjectEventType.VERSION_CREATED;
                        status = alive ? ShareLink.Status.ACTIVE : ShareLink.Status.VERSION_DELETED;
                        resolved = alive ? c.versionId() : null;
                    } else {
                        ObjectEvent newest = newest(c.key());
                        resolved = newest == null || newest.type() != ObjectEventType.VERSION_CREATED ? null
                                : newest.versionOrNull();
                    }
                }
                s.links.put(linkId, new ExpectedLink(status, resolved,
                        accesses.getOrDefault(linkId, Set.of()).size()));
            }
        }
    }

    // ---------- comparing what the topology wrote ----------

    /** Final state the topology published for this bucket, folded from its output records in order. */
    public record Actual(Map<String, Map<String, ExpectedVersion>> versions, Map<String, ExpectedHead> heads,
                         Map<String, ExpectedLink> links) {
    }

    public Actual fold(List<dev.filetrail.events.history.FileVersionChange> changes,
                       List<Map.Entry<String, dev.filetrail.events.history.FileHead>> headRecords,
                       List<ShareLink> linkRecords) {
        Map<String, Map<String, ExpectedVersion>> v = new TreeMap<>();
        for (var c : changes) {
            if (!bucket.equals(c.bucket())) {
                continue;
            }
            Map<String, ExpectedVersion> byId = v.computeIfAbsent(c.key(), x -> new TreeMap<>());
            if (c.change() == dev.filetrail.events.history.ChangeType.VERSION_REMOVED) {
                byId.remove(c.versionId());
            } else {
                var fv = c.version();
                byId.put(c.versionId(), new ExpectedVersion(fv.versionId(), fv.sequencer(), fv.deleteMarker(),
                        fv.storageClass(), fv.derivatives() != null && fv.derivatives().thumbnails() != null));
            }
        }
        v.values().removeIf(Map::isEmpty);
        Map<String, ExpectedHead> h = new TreeMap<>();
        String prefix = bucket + "/";
        for (var e : headRecords) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String key = e.getKey().substring(prefix.length());
            var head = e.getValue();
            if (head == null) {
                h.remove(key);
            } else {
                h.put(key, new ExpectedHead(head.deleted(), head.currentVersionId(), head.versionCount(),
                        head.deleteMarkerCount()));
            }
        }
        Map<String, ExpectedLink> l = new TreeMap<>();
        for (ShareLink link : linkRecords) {
            if (!bucket.equals(link.bucket())) {
                continue;
            }
            boolean resolvedMatters = link.status() == ShareLink.Status.ACTIVE
                    || link.status() == ShareLink.Status.VERSION_DELETED;
            l.put(link.linkId(), new ExpectedLink(link.status(), resolvedMatters ? link.resolvedVersionId() : null,
                    link.accessCount()));
        }
        return new Actual(v, h, l);
    }

    /** The expectations in the same shape (keys without entries dropped). */
    public Actual expected() {
        Map<String, Map<String, ExpectedVersion>> v = new TreeMap<>(versions);
        v.values().removeIf(Map::isEmpty);
        return new Actual(v, heads, links);
    }
}
