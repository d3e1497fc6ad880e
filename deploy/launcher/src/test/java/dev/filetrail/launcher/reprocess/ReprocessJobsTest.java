package dev.filetrail.launcher.reprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which versions a reprocess job takes from the read model, and how the job records what was handed over, against a
 * real PostgreSQL with the query API's own read-model migrations.
 */
@ExtendWith(RealParts.class)
class ReprocessJobsTest {
    private static final String BUCKET = "photos";
    private static final String DERIVED = "{\"contentType\":\"image/png\",\"sha256\":\"ab\",\"thumbnails\":[]}";

    @Test
    void candidatesAreThePresentVersionsWithoutResultsUnderThePrefix(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = database(postgres)) {
            DataSource ds = db.dataSource();
            version(ds, "a_b/new.png", "v1", null, false, null, "STANDARD");
            version(ds, "a_b/new.png", "v2", DERIVED, false, null, "STANDARD");
            version(ds, "a_b/thumb-only.png", "v1", "{\"thumbnails\":[{\"size\":64}]}", false, null, "STANDARD");
            version(ds, "a_b/failed.png", "v1", "{\"sha256\":\"cd\",\"failureReason\":\"thumbnailer: corrupt\"}",
                    false, null, "STANDARD");
            version(ds, "a_b/marker", "m1", null, true, null, null);
            version(ds, "a_b/removed.png", "v1", null, false, "deleted", "STANDARD");
            version(ds, "a_b/cold.png", "v1", null, false, null, "GLACIER");
            version(ds, "a_b/cold.png", "v2", null, false, null, "GLACIER_IR");
            version(ds, "axb/underscore-is-no-wildcard.png", "v1", null, false, null, "STANDARD");
            version(ds, "a%b/percent.png", "v1", null, false, null, null);
            version(ds, "unversioned.txt", "null", null, false, null, null);

            Candidates candidates = new Candidates(ds);
            assertThat(candidates.countByReason(BUCKET, "a_b/", false))
                    .isEqualTo(Map.of("no-derivatives", 2L, "no-metadata", 1L));
            assertThat(candidates.countByReason(BUCKET, "a_b/", true))
                    .isEqualTo(Map.of("no-derivatives", 2L, "no-metadata", 1L, "failed", 1L));
            assertThat(candidates.first(BUCKET, "a_b/", false, 10)).extracting(c -> c.key() + " " + c.versionId())
                    .containsExactly("a_b/cold.png v2", "a_b/new.png v1", "a_b/thumb-only.png v1");
            assertThat(candidates.first(BUCKET, "a%", false, 10)).extracting(Candidate::key)
                    .containsExactly("a%b/percent.png");
            assertThat(candidates.first(BUCKET, null, false, 2)).hasSize(2);
            assertThat(candidates.countByReason(BUCKET, "", false).values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(6);
            assertThat(candidates.knows(BUCKET)).isTrue();
            assertThat(candidates.knows("elsewhere")).isFalse();
        }
    }

    @Test
    void aJobSnapshotsItsVersionsAndRecordsEachProcessorsHandOver(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase db = database(postgres)) {
            DataSource ds = db.dataSource();
            for (int i = 0; i < 5; i++) {
                version(ds, "k/" + i, "v" + i, null, false, null, "STANDARD");
            }
            ReprocessJobs jobs = new ReprocessJobs(ds, ReprocessJobs.schemaFor("filetrail"));
            assertThat(jobs.find("rp_0000000000000000")).as("no job table yet").isEmpty();
            ReadModelDatabase.migrate(ds, jobs.schema(), ReprocessJobs.MIGRATIONS);
            ReprocessJob job = jobs.create(BUCKET, "k/", false);
            assertThat(job.id()).matches("rp_[0-9a-f]{16}");
            assertThat(job.total()).isEqualTo(5);
            assertThat(job.state()).isEqualTo(ReprocessJob.OPEN);
            // A version arriving after planning is not in the job.
            version(ds, "k/late", "v9", null, false, null, "STANDARD");

            List<ReprocessJobs.Item> pending = jobs.pending(job.id(), 0, 100);
            assertThat(pending).extracting(i -> i.version().key()).containsExactly("k/0", "k/1", "k/2", "k/3", "k/4");
            jobs.markSent(job.id(), pending.get(0).seq(), Processor.THUMBNAILER);
            jobs.markSent(job.id(), pending.get(0).seq(), Processor.METADATA);
            jobs.markSent(job.id(), pending.get(1).seq(), Processor.THUMBNAILER);

            assertThat(jobs.find(job.id()).orElseThrow().sent()).isEqualTo(1);
            List<ReprocessJobs.Item> left = jobs.pending(job.id(), 0, 100);
            assertThat(left).extracting(i -> i.version().key()).containsExactly("k/1", "k/2", "k/3", "k/4");
            assertThat(left.get(0).thumbnailSent()).isTrue();
            assertThat(left.get(0).metadataSent()).as("only the metadata hand-over of k/1 is left").isFalse();
            assertThat(jobs.pending(job.id(), left.get(1).seq(), 2)).extracting(i -> i.version().key())
                    .containsExactly("k/3", "k/4");

            // One run of a job at a time.
            Optional<AutoCloseable> lease = jobs.lease(job.id());
            assertThat(lease).isPresent();
            assertThat(jobs.lease(job.id())).isEmpty();
            lease.get().close();
            Optional<AutoCloseable> again = jobs.lease(job.id());
            assertThat(again).isPresent();
            again.get().close();

            jobs.update(job.id(), false, "Lambda unreachable");
            assertThat(jobs.find(job.id()).orElseThrow().lastError()).isEqualTo("Lambda unreachable");
            jobs.update(job.id(), true, null);
            ReprocessJob finished = jobs.find(job.id()).orElseThrow();
            assertThat(finished.state()).isEqualTo(ReprocessJob.FINISHED);
            assertThat(finished.finishedAt()).isNotNull();
            assertThat(finished.lastError()).isNull();

            ReprocessJob empty = jobs.create(BUCKET, "nothing/", false);
            assertThat(empty.total()).isZero();
            assertThat(empty.state()).as("nothing to do is done").isEqualTo(ReprocessJob.FINISHED);
        }
    }

    /**
     * A sharded read model: candidates are counted over every shard and listed in key order across them; a job lives
     * in shard 0 and is planned from every shard, each shard's versions numbered after the previous shard's.
     */
    @Test
    void shardedCandidatesAndAJobPlannedFromEveryShard(PostgresServer postgres) throws Exception {
        try (ReadModelDatabase shard0 = database(postgres); ReadModelDatabase shard1 = database(postgres)) {
            DataSource ds0 = shard0.dataSource();
            DataSource ds1 = shard1.dataSource();
            for (int i = 0; i < 6; i++) {
                version(i % 2 == 0 ? ds0 : ds1, "s/" + i, "v" + i, null, false, null, "STANDARD");
            }
            version(ds1, "s/done", "v1", DERIVED, false, null, "STANDARD");
            // 1500 more in shard 1: the copy into shard 0 goes in more than one batch.
            for (int i = 0; i < 1500; i++) {
                version(ds1, String.format("t/%04d", i), "v1", null, false, null, "STANDARD");
            }
            Candidates candidates = new Candidates(List.of(ds0, ds1));
            assertThat(candidates.countByReason(BUCKET, "s/", false)).isEqualTo(Map.of("no-derivatives", 6L));
            assertThat(candidates.first(BUCKET, "s/", false, 4)).extracting(Candidate::key)
                    .containsExactly("s/0", "s/1", "s/2", "s/3");
            assertThat(new Candidates(ds1).knows(BUCKET)).isTrue();
            assertThat(candidates.knows("elsewhere")).isFalse();

            ReprocessJobs jobs = new ReprocessJobs(ds0, ReprocessJobs.schemaFor("filetrail"), List.of(ds0, ds1));
            ReadModelDatabase.migrate(ds0, jobs.schema(), ReprocessJobs.MIGRATIONS);
            ReprocessJob job = jobs.create(BUCKET, "", false);
            assertThat(job.total()).isEqualTo(1506);
            List<ReprocessJobs.Item> pending = jobs.pending(job.id(), 0, 2000);
            assertThat(pending).extracting(ReprocessJobs.Item::seq)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 1506).boxed().toList());
            assertThat(pending.subList(0, 3)).as("shard 0's first, in key order").extracting(i -> i.version().key())
                    .containsExactly("s/0", "s/2", "s/4");
            assertThat(pending.subList(3, 6)).as("then shard 1's").extracting(i -> i.version().key())
                    .containsExactly("s/1", "s/3", "s/5");
            assertThat(pending.get(1505).version().key()).isEqualTo("t/1499");
            assertThat(pending.get(3).version().size()).isEqualTo(3L);
            assertThat(new ReprocessJobs(ds1, jobs.schema()).find(job.id())).as("jobs live in shard 0 only").isEmpty();
        }
    }

    private static ReadModelDatabase database(PostgresServer postgres) {
        ReadModelDatabase db = new ReadModelDatabase(postgres.createDatabase("reprocess"), "postgres", "postgres",
                "filetrail", "filetrail_keys", 3, "reprocess-test");
        ReadModelDatabase.migrate(db.dataSource(), "filetrail", ReadModelDatabase.READ_MODEL_MIGRATIONS);
        return db;
    }

    private static void version(DataSource ds, String key, String versionId, String derivatives, boolean marker,
                                String removedReason, String storageClass) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO file_versions (bucket, key, version_id, ordering,"
                     + " delete_marker, size, e_tag, storage_class, derivatives, removed_at, removed_reason)"
                     + " VALUES (?, ?, ?, ?, ?, 3, 'e', ?, ?::json, CASE WHEN ? IS NULL THEN NULL ELSE now() END, ?)")) {
            s.setString(1, BUCKET);
            s.setString(2, key);
            s.setString(3, versionId);
            s.setString(4, versionId);
            s.setBoolean(5, marker);
            s.setString(6, storageClass);
            s.setString(7, derivatives);
            s.setString(8, removedReason);
            s.setString(9, removedReason);
            s.executeUpdate();
        }
        try (Connection c = ds.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO files (bucket, key, deleted, version_count,"
                     + " delete_marker_count) VALUES (?, ?, false, 1, 0) ON CONFLICT DO NOTHING")) {
            s.setString(1, BUCKET);
            s.setString(2, key);
            s.executeUpdate();
        }
    }
}
