package dev.filetrail.launcher.cli;

import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.events.deadletter.DeadLetter;
import dev.filetrail.bridge.dlq.DeadLetterListing;
import dev.filetrail.bridge.dlq.DeadLetters;
import dev.filetrail.bridge.dlq.RedriveSummary;
import dev.filetrail.bridge.dlq.SqsDeadLetters;
import dev.filetrail.events.Topics;
import dev.filetrail.launcher.ops.RedrivePreview;
import dev.filetrail.streams.MetadataStreamsConfig;
import dev.filetrail.streams.deadletters.StreamsDeadLetter;
import dev.filetrail.streams.deadletters.StreamsDeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code filetrail dlq}: everything parked on the way in. The ingest bridge's dead letters
 * (filetrail.ingest-dlq.v1), the streams' (filetrail.streams-dlq.v1) and the SQS dead-letter queue of the ingest
 * queue (filetrail-ingest-dlq).
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = {"Inspects what was parked on the way in, and sends it through again after a fix: the ingest "
                + "bridge's dead letters (filetrail.ingest-dlq.v1), the metadata streams' (filetrail.streams-dlq.v1"
                + ") and the messages SQS moved to the ingest queue's dead-letter queue. Configured by the bridge's "
                + "variables (KAFKA_BOOTSTRAP_SERVERS, SQS_ENDPOINT, SQS_QUEUE_URL, AWS_*) and the streams' "
                + "(STREAMS_OUTPUT_TOPIC_SUFFIX)."},
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Show.class, DlqCommand.Redrive.class})
final class DlqCommand implements Runnable {
    static final String INGEST = "ingest";
    static final String STREAMS = "streams";
    static final String SQS = "sqs";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show or redrive");
    }

    /** {@code --source}: which parking places a subcommand looks at; all three by default. */
    static final class Sources {
        @Option(names = "--source", split = ",", paramLabel = "SOURCE",
                description = "ingest (the bridge's dead letters), streams (the streams' dead letters), sqs (the SQS "
                        + "dead-letter queue); comma-separated or repeated. Default: all three.")
        List<String> sources = new ArrayList<>();

        List<String> selected(CommandSpec spec) {
            List<String> chosen = sources.isEmpty() ? List.of(INGEST, STREAMS, SQS) : sources;
            for (String source : chosen) {
                if (!List.of(INGEST, STREAMS, SQS).contains(source)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "Unknown --source '" + source
                            + "' (ingest, streams or sqs)");
                }
            }
            return chosen.stream().distinct().toList();
        }
    }

    /** One parking place as listed: where it is, how many it holds, why, and their time span. */
    record SourceSummary(String source, String where, long count, long unreadable, Map<String, Long> byReason,
                         Instant oldest, Instant newest) {
    }

    /** One parked item as listed: everything but its content, which {@code show} prints. */
    record LetterLine(String source, String id, Instant at, String reason, int bytes) {
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists everything parked (oldest first per partition or queue) with its id, time and reason.")
    static final class ListLetters extends OpsCommand {
        @CommandLine.Mixin
        Sources sources;

        @Option(names = "--limit", defaultValue = "100", description = "Letters listed (all are counted; default ${DEFAULT-VALUE}).")
        int limit;

        /** The listing as printed. */
        record Result(List<SourceSummary> sources, List<LetterLine> letters) {
        }

        @Override
        public Integer call() {
            List<LetterLine> letters = new ArrayList<>();
            Consumer<LetterLine> keep = line -> {
                if (letters.size() < limit) {
                    letters.add(line);
                }
            };
            List<SourceSummary> summaries = new ArrayList<>();
            for (String source : sources.selected(spec)) {
                summaries.add(switch (source) {
                    case INGEST -> ingest(keep);
                    case STREAMS -> streams(keep);
                    default -> sqs(keep);
                });
            }
            print(new Result(summaries, letters), out -> {
                for (SourceSummary s : summaries) {
                    out.printf("%-8s %,d parked  %s%s%n", s.source(), s.count(), s.where(),
                            s.unreadable() > 0 ? " (" + s.unreadable() + " unreadable records)" : "");
                    s.byReason().forEach((reason, n) -> out.printf("  %,6d  %s%n", n, reason));
                }
                for (LetterLine l : letters) {
                    out.printf("%s  %s  %s%n", l.id(), l.at(), oneLine(l.reason()));
                }
                long total = summaries.stream().mapToLong(SourceSummary::count).sum();
                if (total > letters.size()) {
                    out.printf("... %,d more (raise --limit)%n", total - letters.size());
                }
            });
            return OK;
        }

        private SourceSummary ingest(Consumer<LetterLine> keep) {
            DeadLetterListing listing;
            try (DeadLetters dlq = DeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                listing = dlq.list(l -> keep.accept(new LetterLine(INGEST, l.id(), l.receivedAt(), l.reason(),
                        l.rawBody() == null ? 0 : l.rawBody().getBytes(StandardCharsets.UTF_8).length)));
            }
            return new SourceSummary(INGEST, Topics.INGEST_DLQ.name(), listing.count(), listing.unreadable(),
                    listing.byReason(), listing.oldest(), listing.newest());
        }

        private SourceSummary streams(Consumer<LetterLine> keep) {
            StreamsDeadLetters dlq = StreamsDeadLetters.fromConfig(MetadataStreamsConfig.fromEnvironment(env));
            Map<String, Long> byReason = new TreeMap<>();
            StreamsDeadLetters.Listing listing = dlq.list(l -> {
                byReason.merge(l.kind() + " (" + l.sourceTopic() + ")", 1L, Long::sum);
                keep.accept(new LetterLine(STREAMS, l.id(), l.timestamp(), l.kind() + ": " + l.reason(),
                        l.value() == null ? 0 : l.value().length));
            });
            return new SourceSummary(STREAMS, dlq.topic(), listing.count(), listing.unreadable(), byReason,
                    listing.oldest(), listing.newest());
        }

        private SourceSummary sqs(Consumer<LetterLine> keep) {
            SqsDeadLetters.Listing listing;
            try (SqsDeadLetters dlq = SqsDeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                listing = dlq.list(l -> keep.accept(new LetterLine(SQS, l.id(), l.sentAt(),
                        "received " + l.receiveCount() + " times without being deleted",
                        l.body() == null ? 0 : l.body().getBytes(StandardCharsets.UTF_8).length)));
            }
            return new SourceSummary(SQS, listing.dlqUrl() == null ? "(the ingest queue has no dead-letter queue)"
                    : listing.dlqUrl(), listing.count(), 0,
                    listing.count() == 0 ? Map.of() : Map.of("received too often without being deleted",
                            listing.count()), listing.oldest(), listing.newest());
        }
    }

    /** A streams letter as shown: the original record as text, and why it was parked. */
    record StreamsLetterView(String id, String kind, String reason, String exception, String sourceTopic,
                             int sourcePartition, long sourceOffset, Instant timestamp, String key, String value,
                             int valueBytes, Map<String, String> headers) {
        static StreamsLetterView of(StreamsDeadLetter l) {
            Map<String, String> headers = new LinkedHashMap<>();
            l.headers().forEach(h -> headers.put(h.key(), h.value() == null ? null
                    : new String(h.value(), StandardCharsets.UTF_8)));
            return new StreamsLetterView(l.id(), l.kind(), l.reason(), l.exception(), l.sourceTopic(),
                    l.sourcePartition(), l.sourceOffset(), l.timestamp(), l.keyText(), l.valueText(),
                    l.value() == null ? 0 : l.value().length, headers);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one parked item with its content: an ingest letter's raw body, a streams letter's "
                    + "key, value and headers, an SQS message's body. Exit code 1 if there is no such id.")
    static final class Show extends OpsCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The id, as dlq list prints it (streams:P:O and "
                + "sqs:ID for the streams' letters and the SQS dead-letter queue).")
        String id;

        @Override
        public Integer call() {
            if (StreamsDeadLetter.place(id).isPresent()) {
                Optional<StreamsDeadLetter> letter = StreamsDeadLetters.fromConfig(
                        MetadataStreamsConfig.fromEnvironment(env)).show(id);
                return letter.map(l -> show(StreamsLetterView.of(l))).orElseGet(this::missing);
            }
            if (id.startsWith("sqs:")) {
                Optional<SqsDeadLetters.SqsLetter> letter;
                try (SqsDeadLetters dlq = SqsDeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                    letter = dlq.show(id);
                }
                return letter.map(this::show).orElseGet(this::missing);
            }
            Optional<DeadLetter> letter;
            try (DeadLetters dlq = DeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                letter = dlq.show(id);
            }
            return letter.map(this::show).orElseGet(this::missing);
        }

        private int missing() {
            err().println("filetrail: nothing parked with id " + id);
            err().flush();
            return FAILED;
        }

        private int show(DeadLetter l) {
            print(l, out -> {
                out.printf("id             %s%n", l.id());
                out.printf("received       %s (receive count %d)%n", l.receivedAt(), l.receiveCount());
                out.printf("reason         %s%n", l.reason());
                out.printf("SQS message    %s%n", l.sqsMessageId());
                out.printf("SNS message    %s%n", l.snsMessageId());
                out.printf("queue          %s%n", l.queueUrl());
                out.println("raw body:");
                out.println(l.rawBody());
            });
            return OK;
        }

        private int show(StreamsLetterView l) {
            print(l, out -> {
                out.printf("id             %s%n", l.id());
                out.printf("parked         %s: %s%n", l.kind(), l.reason());
                out.printf("exception      %s%n", l.exception());
                out.printf("from           %s partition %d offset %d%n", l.sourceTopic(), l.sourcePartition(),
                        l.sourceOffset());
                out.printf("timestamp      %s%n", l.timestamp());
                out.printf("key            %s%n", l.key());
                l.headers().forEach((name, value) -> out.printf("header         %s=%s%n", name, value));
                out.printf("value (%d bytes):%n", l.valueBytes());
                out.println(l.value());
            });
            return OK;
        }

        private int show(SqsDeadLetters.SqsLetter l) {
            print(l, out -> {
                out.printf("id             %s%n", l.id());
                out.printf("sent           %s (receive count %d)%n", l.sentAt(), l.receiveCount());
                out.println("body:");
                out.println(l.body());
            });
            return OK;
        }
    }

    /** What one redrive did for one parking place. */
    record SourceRedrive(String source, String to, long redriven, long alreadyRedriven, long unreadable,
                         List<String> ids) {
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = {"Sends parked items through again, after a fix: an ingest letter's untouched raw body to "
                    + "the ingest queue (SQS_QUEUE_URL); a streams letter's original key, value and headers back to "
                    + "its input topic and partition (the streams drop an id they already applied); a message on the "
                    + "SQS dead-letter queue to the ingest queue. Kafka letters not sent before, or every one with --all.",
                    "Exit code 3 if some records on a dead-letter topic were unreadable (they are skipped)."})
    static final class Redrive extends OpsCommand {
        @CommandLine.Mixin
        Sources sources;

        @Option(names = "--all", description = "Every Kafka letter, including those a previous redrive already sent.")
        boolean all;

        @Option(names = "--dry-run", description = "List what would be sent; send, move and commit nothing.")
        boolean dryRun;

        /** The summary as printed. */
        record Result(boolean dryRun, boolean all, List<SourceRedrive> sources) {
        }

        @Override
        public Integer call() {
            BridgeConfig config = BridgeConfig.from(env::get);
            List<SourceRedrive> done = new ArrayList<>();
            try (ProgressBar bar = progress("redrive", -1, "letters")) {
                long[] sent = new long[1];
                for (String source : sources.selected(spec)) {
                    List<String> ids = new ArrayList<>();
                    Consumer<String> each = id -> {
                        ids.add(id);
                        bar.update(++sent[0], id);
                    };
                    done.add(switch (source) {
                        case INGEST -> ingest(config, ids, each);
                        case STREAMS -> streams(ids, each);
                        default -> sqs(config, ids, each);
                    });
                }
                bar.finish(sent[0], dryRun ? "dry run" : "done");
            }
            Result result = new Result(dryRun, all, done);
            print(result, out -> {
                out.printf("Redrive%s%n", dryRun ? " (dry run)" : "");
                for (SourceRedrive s : done) {
                    out.printf("  %-8s → %s: %s %,d, already redriven %,d%s%s%n", s.source(), s.to(),
                            dryRun ? "would redrive" : "redriven", s.redriven(), s.alreadyRedriven(),
                            all || s.source().equals(SQS) ? "" : " (use --all to include them)",
                            s.unreadable() > 0 ? ", unreadable " + s.unreadable() + " (skipped)" : "");
                    s.ids().forEach(id -> out.println("    " + id));
                }
            });
            return done.stream().anyMatch(s -> s.unreadable() > 0) ? FiletrailCommand.FOUND_DIFFERENCES : OK;
        }

        private SourceRedrive ingest(BridgeConfig config, List<String> ids, Consumer<String> each) {
            if (dryRun) {
                RedrivePreview.Preview preview = new RedrivePreview(config.kafka(),
                        DeadLetters.DEFAULT_REDRIVE_GROUP).preview(all, l -> each.accept(l.id()));
                return new SourceRedrive(INGEST, config.queueUrl(), preview.wouldRedrive(), preview.alreadyRedriven(),
                        preview.unreadable(), ids);
            }
            RedriveSummary summary;
            try (DeadLetters dlq = DeadLetters.fromConfig(config)) {
                summary = dlq.redrive(all, l -> each.accept(l.id()));
            }
            return new SourceRedrive(INGEST, summary.queueUrl(), summary.redriven(), summary.alreadyRedriven(),
                    summary.unreadable(), ids);
        }

        private SourceRedrive streams(List<String> ids, Consumer<String> each) {
            StreamsDeadLetters.ReapplySummary summary = StreamsDeadLetters.fromConfig(
                    MetadataStreamsConfig.fromEnvironment(env)).reapply(all, dryRun, l -> each.accept(l.id()));
            return new SourceRedrive(STREAMS, "its input topics", summary.reapplied(), summary.alreadyReapplied(),
                    summary.unreadable(), ids);
        }

        private SourceRedrive sqs(BridgeConfig config, List<String> ids, Consumer<String> each) {
            SqsDeadLetters.RedriveSummary summary;
            try (SqsDeadLetters dlq = SqsDeadLetters.fromConfig(config)) {
                summary = dlq.redrive(dryRun, l -> each.accept(l.id()));
            }
            return new SourceRedrive(SQS, summary.queueUrl(), summary.redriven(), 0, 0, ids);
        }
    }

    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replace('\n', ' ');
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }
}
