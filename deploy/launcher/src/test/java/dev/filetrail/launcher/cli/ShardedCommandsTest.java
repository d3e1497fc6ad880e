package dev.filetrail.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ops commands with READ_MODEL_SHARDS listing two databases: migrate does every shard (keys on shard 0 only),
 * keys go to shard 0, and the commands that do not route by shard yet refuse rather than use one database.
 */
@ExtendWith(RealParts.class)
class ShardedCommandsTest {

    record Run(int exit, String out, String err) {
    }

    @Test
    void migrateDoesEveryShardAndKeysLiveInShardZero(PostgresServer postgres) throws Exception {
        String shard0 = postgres.createDatabase("cli_shard0");
        String shard1 = postgres.createDatabase("cli_shard1");
        Map<String, String> env = env(postgres.createDatabase("cli_unused"), shard0, shard1);

        Run migrate = run(env, "migrate");
        assertThat(migrate.exit()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("shard 0 filetrail ", "shard 1 filetrail ", "shard 0 filetrail_keys")
                .doesNotContain("shard 1 filetrail_keys");
        for (String shard : List.of(shard0, shard1)) {
            assertThat(count(shard, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail'"
                    + " AND table_name IN ('files', 'file_versions', 'projection_offsets')")).isEqualTo(3);
        }
        assertThat(count(shard0, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail_keys'"))
                .isPositive();
        assertThat(count(shard1, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'filetrail_keys'"))
                .isZero();
        Run again = run(env, "migrate");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("applied 0");

        Run key = run(env, "keys", "create", "--name", "sharded-ops");
        assertThat(key.exit()).as(key.err()).isZero();
        assertThat(count(shard0, "SELECT count(*) FROM filetrail_keys.api_keys WHERE name = 'sharded-ops'")).isEqualTo(1);
    }

    @Test
    void commandsNotShardedYetRefuseWithTheReason(PostgresServer postgres) {
        Map<String, String> env = env(postgres.createDatabase("cli_unused2"), postgres.createDatabase("cli_r0"),
                postgres.createDatabase("cli_r1"));
        for (List<String> args : List.of(List.of("rebuild", "--projection"), List.of("reconcile", "--bucket", "photos"),
                List.of("rejects", "list"), List.of("reprocess", "--bucket", "photos"))) {
            Run refused = run(env, args.toArray(String[]::new));
            assertThat(refused.exit()).as(String.join(" ", args)).isNotZero();
            assertThat(refused.out() + refused.err()).as(String.join(" ", args))
                    .contains("READ_MODEL_SHARDS lists 2 shards", "does not route by shard yet");
        }
    }

    private static Map<String, String> env(String databaseUrl, String... shards) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        env.put("READ_MODEL_SHARDS", String.join(",", shards));
        env.put("DATABASE_USER", PostgresServer.USER);
        env.put("DATABASE_PASSWORD", PostgresServer.PASSWORD);
        return env;
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = FiletrailCommand.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
