package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code filetrail migrate}: the query API's database migrations on their own, so a release can apply them before
 * any task of the new version starts (the API also applies them at start, which then finds nothing to do).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Applies the query API's PostgreSQL migrations (the read model in DATABASE_SCHEMA, the API keys "
                + "in <DATABASE_SCHEMA>_keys), creating the schemas when missing; already applied versions are left "
                + "alone, so it is safe to repeat. The release pipeline runs it with the new version before the "
                + "services roll. With READ_MODEL_SHARDS, every shard gets the read model's migrations and shard 0 "
                + "the keys'.",
                "Configured by the query API's DATABASE_* variables."})
final class MigrateCommand extends OpsCommand {
    @Option(names = "--dry-run", description = "List the migrations that would be applied, apply nothing.")
    boolean dryRun;

    /** One schema's migrations in one read-model shard: what was (or would be) applied, and its version afterwards. */
    record Schema(int shard, String schema, List<String> pending, int executed, String version) {
    }

    /** The summary as printed. */
    record Result(boolean dryRun, List<Schema> schemas) {
    }

    @Override
    public Integer call() {
        ApiConfig config = ApiConfig.fromMap(env);
        List<Schema> schemas = new ArrayList<>();
        // Every read-model shard gets the read model's migrations; the API keys live in shard 0 only.
        for (var shard : config.shardEndpoints()) {
            try (ReadModelDatabase db = new ReadModelDatabase(shard.url(), shard.user(), shard.password(),
                    config.databaseSchema(), config.keysSchema(), 2, "migrate")) {
                schemas.add(migrate(db, shard.index(), config.databaseSchema(), ReadModelDatabase.READ_MODEL_MIGRATIONS));
                if (shard.index() == 0) {
                    schemas.add(migrate(db, 0, config.keysSchema(), ReadModelDatabase.KEY_MIGRATIONS));
                }
            }
        }
        Result result = new Result(dryRun, schemas);
        print(result, out -> {
            for (Schema schema : schemas) {
                out.printf("%-24s %s%n", schemas.size() > 2 ? "shard " + schema.shard() + " " + schema.schema()
                        : schema.schema(), dryRun
                        ? (schema.pending().isEmpty() ? "up to date" : "would apply " + schema.pending())
                        : "applied " + schema.executed() + ", at version " + schema.version());
            }
        });
        return OK;
    }

    private Schema migrate(ReadModelDatabase db, int shard, String schema, String location) {
        List<String> pending = ReadModelDatabase.pending(db.dataSource(), schema, location);
        if (dryRun) {
            return new Schema(shard, schema, pending, 0, null);
        }
        MigrateResult applied = ReadModelDatabase.migrate(db.dataSource(), schema, location);
        // Flyway names a target version only when it applied something; otherwise the schema stayed where it was.
        return new Schema(shard, schema, pending, applied.migrationsExecuted,
                applied.targetSchemaVersion != null ? applied.targetSchemaVersion : applied.initialSchemaVersion);
    }
}
