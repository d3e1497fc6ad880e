package dev.filetrail.launcher.cli;

import dev.filetrail.journal.JournalConfig;
import dev.filetrail.journal.sql.JournalSql;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code filetrail sql "SELECT …"}: a query over the journal's Iceberg tables, answered on this machine. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Answers one SQL query (DuckDB's dialect) over the journal's Iceberg tables: each table of the "
                + "journal namespace is read with Iceberg's Java API and loaded into an in-memory DuckDB under its own "
                + "name (journal, ...). Example: filetrail sql \"SELECT bucket, count(*) FROM journal GROUP BY bucket\"",
                "Configured by JOURNAL_CATALOG_URL (else DATABASE_URL), JOURNAL_CATALOG_USER/PASSWORD, "
                        + "JOURNAL_WAREHOUSE, JOURNAL_NAMESPACE, S3_ENDPOINT and AWS_*."})
final class SqlCommand extends OpsCommand {
    @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL query.")
    String query;

    @Override
    public Integer call() {
        JournalSql.Result result = new JournalSql(JournalConfig.fromEnvironment(env).withComponent("ops")).query(query);
        print(result, out -> out.print(result.format()));
        return OK;
    }
}
