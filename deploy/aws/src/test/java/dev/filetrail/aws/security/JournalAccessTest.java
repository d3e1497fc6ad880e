package dev.filetrail.aws.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.aws.FiletrailStack;
import dev.filetrail.aws.Synth;
import dev.filetrail.aws.journal.Journal;
import dev.filetrail.journal.sink.SinkConnector;
import org.junit.jupiter.api.Test;

/**
 * The journal's roles in IAM's terms: the connector may write the warehouse's tables and commit them in the Glue
 * database and nothing else; the ops task may create and read them. The S3 calls of both are also held against
 * these roles by {@link IamParityTest} (recorded in deploy/journal's and deploy/local's tests); Glue has no local
 * stand-in, so its calls are the ones Iceberg's GlueCatalog makes for each job ({@link Journal#CONNECTOR_GLUE_ACTIONS},
 * {@link Journal#OPS_GLUE_ACTIONS}), checked here.
 */
class JournalAccessTest {
    private static final Synth.Result SYNTH = Synth.defaults();
    private static final PolicyEvaluator EVALUATOR = new PolicyEvaluator(new TemplateValues(SYNTH.json(),
            SYNTH.stacks().config().region()));
    private static final FiletrailStack STACK = SYNTH.stacks().main();
    private static final String GLUE = "arn:aws:glue:" + SYNTH.stacks().config().region() + ":" + TemplateValues.ACCOUNT
            + ":";

    private static String warehouse() {
        return EVALUATOR.values().getAtt(IamParityTest.logicalId(STACK.journal().warehouse()), "Arn");
    }

    @Test
    void theConnectorMayTouchOnlyTheWarehouseAndTheDatabase() {
        PolicyEvaluator.Principal connector = PolicyEvaluator.Principal.role(
                IamParityTest.logicalId(STACK.kafka().journalConnector().orElseThrow()));
        String warehouse = warehouse();
        String source = EVALUATOR.values().getAtt(IamParityTest.logicalId(STACK.buckets().source()), "Arn");
        String dataFile = warehouse + "/warehouse/filetrail.db/journal/data/x.parquet";

        for (String action : Journal.WAREHOUSE_WRITE_ACTIONS) {
            assertThat(EVALUATOR.evaluate(connector, action, dataFile).allowed()).as(action).isTrue();
        }
        assertThat(EVALUATOR.evaluate(connector, "s3:ListBucket", warehouse).allowed()).isTrue();
        assertThat(EVALUATOR.evaluate(connector, "s3:PutObject", warehouse + "/elsewhere/x").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "s3:GetObject", source + "/photos/a.jpg").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "s3:DeleteObjectVersion", dataFile).allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "s3:PutBucketPolicy", warehouse).allowed()).isFalse();
        for (String action : Journal.CONNECTOR_GLUE_ACTIONS) {
            assertThat(EVALUATOR.evaluate(connector, action, GLUE + "table/filetrail/journal").allowed()).as(action).isTrue();
            assertThat(EVALUATOR.evaluate(connector, action, GLUE + "table/other/journal").allowed()).as(action).isFalse();
        }
        assertThat(EVALUATOR.evaluate(connector, "glue:GetDatabase", GLUE + "database/filetrail").allowed()).isTrue();
        assertThat(EVALUATOR.evaluate(connector, "glue:GetDatabase", GLUE + "database/other").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "glue:DeleteTable", GLUE + "table/filetrail/journal").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "glue:CreateTable", GLUE + "table/filetrail/journal").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(connector, "glue:DeleteDatabase", GLUE + "database/filetrail").allowed()).isFalse();
    }

    /** Every table the connector writes, the new ones included: its data files in the warehouse, its commits in Glue. */
    @Test
    void theConnectorMayWriteAndCommitEveryTableItJournals() {
        PolicyEvaluator.Principal connector = PolicyEvaluator.Principal.role(
                IamParityTest.logicalId(STACK.kafka().journalConnector().orElseThrow()));
        PolicyEvaluator.Principal ops = PolicyEvaluator.Principal.role(
                IamParityTest.logicalId(STACK.services().ops().getTaskRole()));
        assertThat(SinkConnector.TABLES).contains("processing_results", "share_commands");
        for (String table : SinkConnector.TABLES) {
            String dataFile = warehouse() + "/warehouse/filetrail.db/" + table + "/data/x.parquet";
            for (String action : Journal.WAREHOUSE_WRITE_ACTIONS) {
                assertThat(EVALUATOR.evaluate(connector, action, dataFile).allowed()).as(table + " " + action).isTrue();
            }
            for (String action : Journal.CONNECTOR_GLUE_ACTIONS) {
                assertThat(EVALUATOR.evaluate(connector, action, GLUE + "table/filetrail/" + table).allowed())
                        .as(table + " " + action).isTrue();
            }
            for (String action : Journal.OPS_GLUE_ACTIONS) {
                assertThat(EVALUATOR.evaluate(ops, action, GLUE + "table/filetrail/" + table).allowed())
                        .as("ops " + table + " " + action).isTrue();
            }
            assertThat(EVALUATOR.evaluate(connector, "glue:DeleteTable", GLUE + "table/filetrail/" + table).allowed())
                    .isFalse();
        }
    }

    @Test
    void theOpsTaskCreatesAndReadsTheTablesButDeletesNothing() {
        PolicyEvaluator.Principal ops = PolicyEvaluator.Principal.role(
                IamParityTest.logicalId(STACK.services().ops().getTaskRole()));
        String metadata = warehouse() + "/warehouse/filetrail.db/audit/metadata/00000-x.metadata.json";
        for (String action : Journal.OPS_GLUE_ACTIONS) {
            assertThat(EVALUATOR.evaluate(ops, action, GLUE + "table/filetrail/audit").allowed()).as(action).isTrue();
        }
        assertThat(EVALUATOR.evaluate(ops, "s3:PutObject", metadata).allowed()).isTrue();
        assertThat(EVALUATOR.evaluate(ops, "s3:GetObject", metadata).allowed()).isTrue();
        assertThat(EVALUATOR.evaluate(ops, "s3:DeleteObject", metadata).allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(ops, "glue:UpdateTable", GLUE + "table/filetrail/audit").allowed()).isFalse();
        assertThat(EVALUATOR.evaluate(ops, "glue:DeleteTable", GLUE + "table/filetrail/audit").allowed()).isFalse();
    }
}
