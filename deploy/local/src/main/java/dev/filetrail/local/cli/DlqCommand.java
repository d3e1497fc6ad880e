package dev.filetrail.local.cli;

import dev.filetrail.bridge.BridgeConfig;
import dev.filetrail.bridge.dlq.DeadLetter;
import dev.filetrail.bridge.dlq.DeadLetterListing;
import dev.filetrail.bridge.dlq.DeadLetters;
import dev.filetrail.bridge.dlq.RedriveSummary;
import dev.filetrail.local.ops.RedrivePreview;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code filetrail dlq}: the ingest bridge's dead letters (filetrail.ingest-dlq.v1). */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = {"Inspects the messages the ingest bridge could not turn into events, and sends them back through "
                + "the bridge after a fix. Configured by the bridge's variables (KAFKA_BOOTSTRAP_SERVERS, SQS_ENDPOINT, "
                + "SQS_QUEUE_URL, AWS_*)."},
        subcommands = {DlqCommand.ListLetters.class, DlqCommand.Show.class, DlqCommand.Redrive.class})
final class DlqCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show or redrive");
    }

    /** One letter as listed: everything but the raw body, which {@code show} prints. */
    record LetterLine(String id, String reason, String sqsMessageId, String snsMessageId, int receiveCount,
                      java.time.Instant receivedAt, int bodyBytes) {
        static LetterLine of(DeadLetter l) {
            return new LetterLine(l.id(), l.reason(), l.sqsMessageId(), l.snsMessageId(), l.receiveCount(),
                    l.receivedAt(), l.rawBody() == null ? 0 : l.rawBody().length());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists every dead letter (oldest first per partition) with its id, time and reason.")
    static final class ListLetters extends OpsCommand {
        @Option(names = "--limit", defaultValue = "100", description = "Letters listed (all are counted; default ${DEFAULT-VALUE}).")
        int limit;

        /** The listing as printed. */
        record Result(DeadLetterListing summary, List<LetterLine> letters) {
        }

        @Override
        public Integer call() {
            List<LetterLine> letters = new ArrayList<>();
            DeadLetterListing listing;
            try (DeadLetters dlq = DeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                listing = dlq.list(letter -> {
                    if (letters.size() < limit) {
                        letters.add(LetterLine.of(letter));
                    }
                });
            }
            print(new Result(listing, letters), out -> {
                out.printf("%,d dead letters%s%n", listing.count(),
                        listing.unreadable() > 0 ? " (" + listing.unreadable() + " unreadable records)" : "");
                listing.byReason().forEach((reason, n) -> out.printf("  %,6d  %s%n", n, reason));
                for (LetterLine l : letters) {
                    out.printf("%s  %s  %s%n", l.id(), l.receivedAt(), oneLine(l.reason()));
                }
                if (listing.count() > letters.size()) {
                    out.printf("... %,d more (raise --limit)%n", listing.count() - letters.size());
                }
            });
            return OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one dead letter with its raw message body. Exit code 1 if there is no such id.")
    static final class Show extends OpsCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The letter's id, as dlq list prints it.")
        String id;

        @Override
        public Integer call() {
            Optional<DeadLetter> letter;
            try (DeadLetters dlq = DeadLetters.fromConfig(BridgeConfig.from(env::get))) {
                letter = dlq.show(id);
            }
            if (letter.isEmpty()) {
                err().println("filetrail: no dead letter with id " + id);
                err().flush();
                return FAILED;
            }
            DeadLetter l = letter.get();
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
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = {"Sends dead letters' untouched raw bodies back to the ingest queue (SQS_QUEUE_URL), so they "
                    + "pass through the fixed bridge again: those not redriven before, or every one with --all.",
                    "Exit code 3 if some records on the topic were unreadable (they are skipped)."})
    static final class Redrive extends OpsCommand {
        @Option(names = "--all", description = "Every letter, including those a previous redrive already sent.")
        boolean all;

        @Option(names = "--dry-run", description = "List what would be redriven; send and commit nothing.")
        boolean dryRun;

        /** The summary as printed. */
        record Result(boolean dryRun, boolean all, long redriven, long alreadyRedriven, long unreadable, String queueUrl,
                      List<String> ids) {
        }

        @Override
        public Integer call() {
            BridgeConfig config = BridgeConfig.from(env::get);
            List<String> ids = new ArrayList<>();
            Result result;
            try (ProgressBar bar = progress("redrive", -1, "letters")) {
                if (dryRun) {
                    RedrivePreview.Preview preview = new RedrivePreview(config.kafka(),
                            DeadLetters.DEFAULT_REDRIVE_GROUP).preview(all, l -> {
                                ids.add(l.id());
                                bar.update(ids.size(), l.id());
                            });
                    result = new Result(true, all, preview.wouldRedrive(), preview.alreadyRedriven(),
                            preview.unreadable(), config.queueUrl(), ids);
                } else {
                    RedriveSummary summary;
                    try (DeadLetters dlq = DeadLetters.fromConfig(config)) {
                        summary = dlq.redrive(all, l -> {
                            ids.add(l.id());
                            bar.update(ids.size(), l.id());
                        });
                    }
                    result = new Result(false, all, summary.redriven(), summary.alreadyRedriven(),
                            summary.unreadable(), summary.queueUrl(), ids);
                }
                bar.finish(ids.size(), dryRun ? "dry run" : "done");
            }
            print(result, out -> {
                out.printf("Redrive to %s%s%n", result.queueUrl(), dryRun ? " (dry run)" : "");
                out.printf("  %s %,d%n", dryRun ? "would redrive   " : "redriven        ", result.redriven());
                out.printf("  already redriven %,d%s%n", result.alreadyRedriven(), all ? "" : " (use --all to include them)");
                if (result.unreadable() > 0) {
                    out.printf("  unreadable       %,d (skipped)%n", result.unreadable());
                }
                result.ids().forEach(id -> out.println("  " + id));
            });
            return result.unreadable() > 0 ? FiletrailCommand.FOUND_DIFFERENCES : OK;
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
