package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.projection.ProjectionRejects;
import dev.filetrail.events.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code filetrail rejects}: the records the projector could not write into the read model (projection_rejects). */
@Command(name = "rejects", mixinStandardHelpOptions = true,
        description = {"Lists, shows and retries the records the projector parked in projection_rejects because the "
                + "read model can never hold them as they are. Configured by the query API's variables (DATABASE_*, "
                + "READ_MODEL_SHARDS, KAFKA_BOOTSTRAP_SERVERS).",
                "With READ_MODEL_SHARDS each shard parks its own partitions' rejects: list merges every shard's "
                        + "(oldest first, each with its shard); show and retry go to the shard of the id's partition "
                        + "(partition mod N); retry --all retries every shard's."},
        subcommands = {RejectsCommand.ListRejects.class, RejectsCommand.Show.class, RejectsCommand.Retry.class})
final class RejectsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show or retry");
    }

    /** Each shard's rejects, by shard index (one for an unsharded read model). */
    static <T> T withRejects(Map<String, String> env, Function<List<ProjectionRejects>, T> work) {
        ApiConfig config = ApiConfig.fromMap(env);
        try (ShardPools shards = ShardPools.open(config, 2, "rejects")) {
            List<ProjectionRejects> rejects = new ArrayList<>();
            for (int i = 0; i < shards.count(); i++) {
                rejects.add(new ProjectionRejects(shards.shard(i), config.kafka(), config.databaseSchema()));
            }
            return work.apply(rejects);
        }
    }

    /** The shard that parked reject {@code id}: its partition's, partition mod N (as the projectors are assigned). */
    static int shardOf(String id, int shards) {
        String[] parts = ProjectionRejects.checkId(id).split(":");
        return Integer.parseInt(parts[parts.length - 2]) % shards;
    }

    /** One listed reject and the shard that holds it (0 when the read model is not sharded). */
    record ListedReject(int shard, String id, String topic, int partition, long offset, String recordKey,
                        String reason, Instant rejectedAt, int retries, Instant retriedAt, int bytes) {
        static ListedReject of(int shard, ProjectionRejects.Reject r) {
            return new ListedReject(shard, r.id(), r.topic(), r.partition(), r.offset(), r.recordKey(), r.reason(),
                    r.rejectedAt(), r.retries(), r.retriedAt(), r.bytes());
        }
    }

    /** Every shard's rejects: the first {@code limit} of all, oldest first, and the counts per topic and shard. */
    record Listing(long count, Map<String, Long> byTopic, Map<Integer, Long> byShard, List<ListedReject> rejects) {
        static Listing merge(List<ProjectionRejects.Listing> shards, int limit) {
            long count = 0;
            Map<String, Long> byTopic = new TreeMap<>();
            Map<Integer, Long> byShard = new TreeMap<>();
            List<ListedReject> all = new ArrayList<>();
            for (int i = 0; i < shards.size(); i++) {
                ProjectionRejects.Listing listing = shards.get(i);
                count += listing.count();
                byShard.put(i, listing.count());
                listing.byTopic().forEach((topic, n) -> byTopic.merge(topic, n, Long::sum));
                for (ProjectionRejects.Reject r : listing.rejects()) {
                    all.add(ListedReject.of(i, r));
                }
            }
            // Each shard's first `limit` in its order hold the first `limit` of all in the same order.
            all.sort(Comparator.comparing(ListedReject::rejectedAt).thenComparing(ListedReject::topic)
                    .thenComparingInt(ListedReject::partition).thenComparingLong(ListedReject::offset));
            return new Listing(count, byTopic, byShard, List.copyOf(all.subList(0, Math.min(limit, all.size()))));
        }
    }

    /** A key as one printable token: JSON-quoted, so control characters show as escapes. */
    static String printable(String key) {
        return key == null ? "-" : Json.writeString(key);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the rejects, oldest first: id (topic:partition:offset), time, retries, key, reason "
                    + "(and, with READ_MODEL_SHARDS, the shard holding it).")
    static final class ListRejects extends OpsCommand {
        @Option(names = "--limit", defaultValue = "100", description = "Rejects listed (all are counted; default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            Listing listing = withRejects(env, shards -> Listing.merge(
                    shards.stream().map(rejects -> rejects.list(limit)).toList(), limit));
            boolean sharded = listing.byShard().size() > 1;
            print(listing, out -> {
                out.printf("%,d rejected records%n", listing.count());
                listing.byTopic().forEach((topic, n) -> out.printf("  %,6d  %s%n", n, topic));
                if (sharded) {
                    listing.byShard().forEach((shard, n) -> out.printf("  %,6d  in shard %d%n", n, shard));
                }
                for (ListedReject r : listing.rejects()) {
                    out.printf("%s%s  %s  retries %d  key %s  %s%n", sharded ? "shard " + r.shard() + "  " : "", r.id(),
                            r.rejectedAt(), r.retries(), printable(r.recordKey()), DlqCommand.oneLine(r.reason()));
                }
                if (listing.count() > listing.rejects().size()) {
                    out.printf("... %,d more (raise --limit)%n", listing.count() - listing.rejects().size());
                }
            });
            return OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one reject with its record's bytes. Exit code 1 if there is no such id.")
    static final class Show extends OpsCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "topic:partition:offset, as rejects list prints it.")
        String id;

        @Override
        public Integer call() {
            String checked = checked(spec, id);
            Optional<ProjectionRejects.Detail> detail = withRejects(env,
                    shards -> shards.get(shardOf(checked, shards.size())).show(checked));
            if (detail.isEmpty()) {
                err().println("filetrail: no reject with id " + id);
                err().flush();
                return FAILED;
            }
            ProjectionRejects.Detail d = detail.get();
            ProjectionRejects.Reject r = d.reject();
            print(d, out -> {
                out.printf("id          %s%n", r.id());
                out.printf("rejected    %s (retries %d%s)%n", r.rejectedAt(), r.retries(),
                        r.retriedAt() == null ? "" : ", last " + r.retriedAt());
                out.printf("key         %s%n", printable(r.recordKey()));
                out.printf("reason      %s%n", r.reason());
                out.printf("record      %,d bytes%s%n", r.bytes(), d.payloadText() == null && d.payloadBase64() != null
                        ? " (not UTF-8, base64 below)" : "");
                out.println(d.payloadText() != null ? d.payloadText() : d.payloadBase64() == null ? "(tombstone)"
                        : d.payloadBase64());
            });
            return OK;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = {"Writes rejects into the read model again, after a fix, through the projector's own writer. "
                    + "One that applies leaves the table; one a later record of the same row has already been projected "
                    + "over leaves it unwritten (superseded); one that fails again stays with its new reason.",
                    "Exit code 3 if some are still rejected, 1 if an id does not exist."})
    static final class Retry extends OpsCommand {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "topic:partition:offset of each reject to retry.")
        List<String> ids = new ArrayList<>();

        @Option(names = "--all", description = "Every reject, oldest first.")
        boolean all;

        @Option(names = "--dry-run", description = "Do everything and roll it back: report what would happen.")
        boolean dryRun;

        /** The summary as printed. */
        record Result(boolean dryRun, Map<ProjectionRejects.Outcome, Long> byOutcome,
                      List<ProjectionRejects.Retried> rejects) {
        }

        @Override
        public Integer call() {
            if (all == !ids.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Give reject ids or --all (not both)");
            }
            ids.forEach(id -> checked(spec, id));
            List<ProjectionRejects.Retried> retried = withRejects(env, shards -> retry(shards, ids, dryRun));
            Map<ProjectionRejects.Outcome, Long> byOutcome = new EnumMap<>(ProjectionRejects.Outcome.class);
            retried.forEach(r -> byOutcome.merge(r.outcome(), 1L, Long::sum));
            Result result = new Result(dryRun, byOutcome, retried);
            print(result, out -> {
                out.printf("Retried %,d rejects%s%n", retried.size(), dryRun ? " (dry run: nothing written)" : "");
                byOutcome.forEach((outcome, n) -> out.printf("  %-15s %,d%n", outcome.name().toLowerCase(), n));
                for (ProjectionRejects.Retried r : retried) {
                    out.printf("%s  %s%s%n", r.id(), r.outcome(), r.detail() == null ? "" : "  " + DlqCommand.oneLine(r.detail()));
                }
            });
            if (byOutcome.containsKey(ProjectionRejects.Outcome.NOT_FOUND)) {
                return FAILED;
            }
            return byOutcome.containsKey(ProjectionRejects.Outcome.STILL_REJECTED) ? FiletrailCommand.FOUND_DIFFERENCES : OK;
        }

        /** Each id in its shard (in the order given within a shard), or with none every shard's, shard by shard. */
        private static List<ProjectionRejects.Retried> retry(List<ProjectionRejects> shards, List<String> ids,
                                                             boolean dryRun) {
            List<ProjectionRejects.Retried> retried = new ArrayList<>();
            for (int i = 0; i < shards.size(); i++) {
                int shard = i;
                List<String> mine = ids.stream().filter(id -> shardOf(id, shards.size()) == shard).toList();
                if (ids.isEmpty() || !mine.isEmpty()) {
                    retried.addAll(shards.get(i).retry(mine, dryRun));
                }
            }
            return retried;
        }
    }

    private static String checked(CommandSpec spec, String id) {
        try {
            return ProjectionRejects.checkId(id);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
