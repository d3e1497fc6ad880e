package dev.filetrail.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.kafka.TopicContents;
import dev.filetrail.events.Topics;
import dev.filetrail.events.kafka.KafkaRole;
import dev.filetrail.launcher.cli.FiletrailCommand;
import dev.filetrail.local.stack.Demo;
import dev.filetrail.local.stack.LocalStack;
import dev.filetrail.local.stack.LocalStackConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack with its journal: the demo's uploads reach the Iceberg table, {@code filetrail sql} answers over it,
 * and {@code filetrail replay --from-journal} rebuilds the event topic the bridge wrote, byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JournalCommandsTest {
    @TempDir
    static Path output;
    private LocalStack stack;
    private String demo;

    @BeforeAll
    void startAndRunTheDemo() {
        stack = LocalStack.start(LocalStackConfig.ephemeral(output).withJournal(1000));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        new Demo(stack.endpoints(), new PrintStream(printed, true, StandardCharsets.UTF_8)).run();
        demo = printed.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theDemoShowsItsUploadsInTheJournal() {
        assertThat(stack.endpoints().journal().warehouse()).startsWith("s3://filetrail-local-warehouse/");
        assertThat(demo).contains("The journal in Iceberg").contains("VERSION_CREATED").contains("DELETE_MARKER_CREATED")
                .contains("docs/release notes+v1.txt").contains("photos/sunset at the beach.png");
        // the inventory shows the current files only, the audit trail the facts about them
        String inventory = demo.substring(demo.indexOf("The inventory, current versions only"),
                demo.indexOf("The audit trail in Iceberg"));
        assertThat(inventory).contains("photos/sunset at the beach.png")
                .contains("docs/release notes+v1.txt").doesNotContain("tmp/scratch.txt");
        assertThat(demo.substring(demo.indexOf("The audit trail in Iceberg"))).contains("dev.filetrail.version.created")
                .contains("dev.filetrail.delete-marker.created");
        assertThat(stack.endpoints().journal().tables()).containsExactly("journal", "audit", "inventory_changes",
                "processing_results", "share_commands", "inventory");
    }

    /** The demo's photo: its thumbnailer result (the thumbnails the processor made) is a row of processing_results. */
    @Test
    void theDemosThumbnailsAreInProcessingResults() throws Exception {
        String query = "SELECT 'thumbs=' || len(thumbnails) || ';' AS t FROM processing_results "
                + "WHERE processor = 'thumbnailer' AND status = 'SUCCEEDED' AND key = 'photos/sunset at the beach.png'";
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
        String[] answer = run("sql", query);
        while (!answer[0].matches("(?s).*thumbs=[1-9][0-9]*;.*")) {
            assertThat(System.nanoTime()).as("processing_results: %s", answer[0] + answer[1]).isLessThan(deadline);
            Thread.sleep(500);
            answer = run("sql", query);
        }
        assertThat(answer[1]).isEmpty();
    }

    @Test
    void sqlAnswersOverTheJournal() throws Exception {
        String[] run = run("sql", "SELECT count(*) AS events, count(DISTINCT key) AS keys FROM journal "
                + "WHERE bucket = '" + stack.endpoints().sourceBucket() + "'");
        assertThat(run[1]).isEmpty();
        assertThat(run[0]).containsPattern("events\\s*\\|\\s*keys").contains("1 row");
        String[] wrong = run("sql", "SELECT nope FROM journal");
        assertThat(wrong[1]).contains("query failed").contains("nope");
    }

    @Test
    void journalInitLeavesWhatTheStackMadeAsItIs() {
        String[] init = run("journal", "init");
        assertThat(init[1]).isEmpty();
        assertThat(init[0]).contains("Journal ready").contains("filetrail.journal-control")
                .contains("filetrail.journal-dlq.v1");
        String[] tables = run("sql", "SELECT count(*) AS n FROM audit");
        assertThat(tables[1]).isEmpty();
    }

    @Test
    void replayFromTheJournalRebuildsTheEventTopicByteForByte() throws Exception {
        String into = Topics.OBJECT_EVENTS.name() + ".rebuilt";
        List<ConsumerRecord<byte[], byte[]>> original = TopicContents.all(stack.kafka().settings(KafkaRole.OPS),
                Topics.OBJECT_EVENTS.name());
        // every event the bridge wrote is in the journal before the rebuild starts
        String expected = "rows=" + original.size() + ";";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String[] count = run("sql", "SELECT 'rows=' || count(*) || ';' AS n FROM journal");
        while (!count[0].contains(expected) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            count = run("sql", "SELECT 'rows=' || count(*) || ';' AS n FROM journal");
        }
        assertThat(count[0]).contains(expected);

        String[] replay = run("replay", "--from-journal", "--into", into, "--create-target", "--no-progress");
        assertThat(replay[1]).isEmpty();
        assertThat(replay[0]).contains("partitions kept  yes");
        List<ConsumerRecord<byte[], byte[]>> rebuilt = TopicContents.all(stack.kafka().settings(KafkaRole.OPS), into);
        assertThat(rebuilt).hasSameSizeAs(original);
        for (int i = 0; i < original.size(); i++) {
            ConsumerRecord<byte[], byte[]> a = original.get(i);
            ConsumerRecord<byte[], byte[]> b = rebuilt.get(i);
            assertThat(b.partition() + "@" + b.offset()).isEqualTo(a.partition() + "@" + a.offset());
            assertThat(b.key()).isEqualTo(a.key());
            assertThat(new String(b.value(), StandardCharsets.UTF_8)).isEqualTo(new String(a.value(), StandardCharsets.UTF_8));
            assertThat(Arrays.equals(a.value(), b.value())).isTrue();
            assertThat(b.timestamp()).isEqualTo(a.timestamp());
        }

        String[] again = run("replay", "--from-journal", "--into", into);
        assertThat(again[1]).contains("already holds " + original.size() + " records");
    }

    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FiletrailCommand.run(stack.serviceEnvironment(), new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {out.toString(), err.toString()};
    }
}
