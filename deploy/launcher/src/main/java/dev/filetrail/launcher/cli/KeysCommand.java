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
        subcommands = {KeysCommand.Create.class, KeysCommand.Revoke.class, KeysCommand.ListKeys.class,
                KeysCommand.Generate.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: create, revoke, list or generate");
    }

    /** Opens the key store the API uses (creating its schema when this is the first key of a new database). */
    static <T> T withKeys(java.util.Map<String, String> env, Function<ApiKeys, T> work) {
        ApiConfig config = ApiConfig.fromMap(env);
        // API keys are not sharded: they live in shard 0 (DATABASE_URL unless READ_MODEL_SHARDS lists shards).
        var shard0 = config.shardEndpoints().get(0);
        try (ReadModelDatabase db = new ReadModelDatabase(shard0.url(), shard0.user(),
                shard0.password(), config.databaseSchema(), config.keysSchema(), 2, "keys")) {
            ReadModelDatabase.migrate(db.dataSource(), config.keysSchema(), ReadModelDatabase.KEY_MIGRATIONS);
            return work.apply(new ApiKeys(db.dataSource()));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates a key and prints it once (only its hash is stored).",
                    "With --id and --secret-sha256 it stores a key made elsewhere by `keys generate` instead: only the "
                            + "id and the hash reach the key store, and nothing secret is printed."})
    static final class Create extends OpsCommand {
        @Option(names = "--name", required = true, description = "Who or what the key is for.")
        String name;

        @Option(names = "--scopes", defaultValue = "read", description = "Comma-separated: read, share, write, admin "
                + "(default ${DEFAULT-VALUE}).")
        String scopes;

        @Option(names = "--bucket", paramLabel = "BUCKET", description = "Limit the key to this bucket (repeatable; "
                + "default: every bucket). Elsewhere it gets 403, and its listings and audit are filtered.")
        List<String> buckets = new java.util.ArrayList<>();

        @Option(names = "--prefix", paramLabel = "PREFIX", description = "Limit the key to object keys starting with "
                + "PREFIX (default: every key).")
        String prefix;

        @Option(names = "--expires-in", paramLabel = "DURATION", description = "ISO-8601 duration after which the key "
                + "stops working like a revoked one, e.g. PT720H (default: never).")
        java.time.Duration expiresIn;

        @Option(names = "--dry-run", description = "Generate and show the key, store nothing (the key will not work).")
        boolean dryRun;

        @Option(names = "--id", description = "With --secret-sha256: the id of a key made by `keys generate`.")
        String id;

        @Option(names = "--secret-sha256", description = "With --id: the SHA-256 (hex) of that key's secret, as "
                + "`keys generate` printed it.")
        String secretSha256;

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
            if ((id == null) != (secretSha256 == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--id and --secret-sha256 go together");
            }
            if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--expires-in must be positive");
            }
            ApiKeys.Limits limits = new ApiKeys.Limits(new java.util.TreeSet<>(buckets), prefix,
                    expiresIn == null ? null : java.time.Instant.now().plus(expiresIn));
            if (id != null) {
                return register(parsed, limits);
            }
            ApiKeys.CreatedKey key;
            try {
                key = withKeys(env, keys -> keys.create(name, parsed, limits, dryRun));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            print(key, out -> {
                out.printf("API key %s created for '%s' with scopes %s%s%s%n", key.id(), key.name(), key.scopes(),
                        describe(limits), dryRun ? " (dry run: NOT stored)" : "");
                out.println(key.plaintext());
                out.println("Store it now: it is not shown again. Use it as: Authorization: Bearer <key>");
            });
            return OK;
        }

        private static String describe(ApiKeys.Limits limits) {
            return (limits.buckets().isEmpty() ? "" : ", buckets " + limits.buckets())
                    + (limits.prefix() == null ? "" : ", keys under '" + limits.prefix() + "'")
                    + (limits.expiresAt() == null ? "" : ", until " + limits.expiresAt());
        }

        private int register(Set<Scope> parsed, ApiKeys.Limits limits) {
            ApiKeys.CreatedKey key;
            try {
                key = withKeys(env, keys -> keys.register(id, name, parsed, secretSha256, limits, dryRun));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            print(key, out -> out.printf("API key %s registered for '%s' with scopes %s%s; its holder has the key%n",
                    key.id(), key.name(), key.scopes(), dryRun ? " (dry run: NOT stored)" : ""));
            return OK;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Makes a new key and prints it with its id and the SHA-256 of its secret; stores nothing and "
                    + "needs no database.",
                    "Register it where the key store is with `keys create --name N --id ID --secret-sha256 HASH`: the "
                            + "key itself never has to leave the place it was made (the release pipeline's smoke "
                            + "step does this)."})
    static final class Generate extends OpsCommand {
        @Override
        public Integer call() {
            ApiKeys.KeyMaterial key = ApiKeys.generate();
            print(key, out -> {
                out.printf("id            %s%n", key.id());
                out.printf("key           %s%n", key.plaintext());
                out.printf("secret-sha256 %s%n", key.secretSha256());
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
                    boolean expired = k.active() && k.limits().expired(java.time.Instant.now());
                    out.printf("%-14s %-8s %-20s %-24s %s%s%n", k.id(), !k.active() ? "revoked" : expired ? "expired"
                            : "active", k.scopes().stream().map(Scope::wireName).toList(), k.createdAt(), k.name(),
                            Create.describe(k.limits()));
                }
                out.printf("%,d keys%n", keys.size());
            });
            return OK;
        }
    }
}
