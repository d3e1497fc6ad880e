package dev.filetrail.launcher.cli;

import dev.filetrail.api.ApiConfig;
import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.api.keys.ApiKeys;
import dev.filetrail.api.keys.Scope;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code filetrail keys}: the query API's keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Creates, revokes and lists API keys (stored as SHA-256 in <DATABASE_SCHEMA>_keys). Configured by "
                + "the query API's DATABASE_* variables.",
        subcommands = {KeysCommand.Create.class, KeysCommand.Revoke.class, KeysCommand.ListKeys.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: create, revoke or list");
    }

    /** Opens the key store the API uses (creating its schema when this is the first key of a new database). */
    static <T> T withKeys(java.util.Map<String, String> env, Function<ApiKeys, T> work) {
        ApiConfig config = ApiConfig.fromMap(env);
        try (ReadModelDatabase db = new ReadModelDatabase(config.databaseUrl(), config.databaseUser(),
                config.databasePassword(), config.databaseSchema(), config.keysSchema(), 2, "keys")) {
            ReadModelDatabase.migrate(db.dataSource(), config.keysSchema(), "classpath:db/keys");
            return work.apply(new ApiKeys(db.dataSource()));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a key and prints it once (only its hash is stored).")
    static final class Create extends OpsCommand {
        @Option(names = "--name", required = true, description = "Who or what the key is for.")
        String name;

        @Option(names = "--scopes", defaultValue = "read", description = "Comma-separated: read, share, admin "
                + "(default ${DEFAULT-VALUE}).")
        String scopes;

        @Option(names = "--dry-run", description = "Generate and show the key, store nothing (the key will not work).")
        boolean dryRun;

        @Override
        public Integer call() {
            Set<Scope> parsed;
            try {
                parsed = ApiKeys.parseScopes(scopes);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (parsed.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scopes names no scope");
            }
            ApiKeys.CreatedKey key = withKeys(env, keys -> keys.create(name, parsed, dryRun));
            print(key, out -> {
                out.printf("API key %s created for '%s' with scopes %s%s%n", key.id(), key.name(), key.scopes(),
                        dryRun ? " (dry run: NOT stored)" : "");
                out.println(key.plaintext());
                out.println("Store it now: it is not shown again. Use it as: Authorization: Bearer <key>");
            });
            return OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a key by id; the API rejects it from the next request on. Exit code 1 if no such key.")
    static final class Revoke extends OpsCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The key's id (as keys list prints it).")
        String id;

        @Option(names = "--dry-run", description = "Show what would be revoked, change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            ApiKeys.Revocation revocation = withKeys(env, keys -> keys.revoke(id, dryRun));
            print(revocation, out -> {
                if (!revocation.found()) {
                    out.printf("no API key with id %s%n", id);
                } else if (!revocation.wasActive()) {
                    out.printf("API key %s was already revoked%n", id);
                } else {
                    out.printf("API key %s %s%n", id, dryRun ? "would be revoked (dry run)" : "revoked");
                }
            });
            return revocation.found() ? OK : FAILED;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists keys (never their secrets).")
    static final class ListKeys extends OpsCommand {
        @Option(names = "--active", description = "Only keys that are not revoked.")
        boolean activeOnly;

        @Override
        public Integer call() {
            List<ApiKeys.ApiKeyInfo> keys = withKeys(env, ApiKeys::list).stream()
                    .filter(k -> !activeOnly || k.active()).toList();
            print(keys, out -> {
                out.printf("%-14s %-8s %-20s %-24s %s%n", "ID", "STATUS", "SCOPES", "CREATED", "NAME");
                for (ApiKeys.ApiKeyInfo k : keys) {
                    out.printf("%-14s %-8s %-20s %-24s %s%n", k.id(), k.active() ? "active" : "revoked",
                            k.scopes().stream().map(Scope::wireName).toList(), k.createdAt(), k.name());
                }
                out.printf("%,d keys%n", keys.size());
            });
            return OK;
        }
    }
}
