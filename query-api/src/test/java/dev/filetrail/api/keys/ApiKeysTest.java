package dev.filetrail.api.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.api.ReadModelDatabase;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.postgres.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class ApiKeysTest {
    private static final String KEYS_SCHEMA = "filetrail_keys";
    private static ReadModelDatabase database;
    private static ApiKeys keys;

    @BeforeAll
    static void database(PostgresServer postgres) {
        database = new ReadModelDatabase(postgres.createDatabase("api_keys"), PostgresServer.USER,
                PostgresServer.PASSWORD, "filetrail", KEYS_SCHEMA, 2, "api-keys-test");
        ReadModelDatabase.migrate(database.dataSource(), KEYS_SCHEMA, "classpath:db/keys");
        keys = new ApiKeys(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void createdKeyVerifiesWithItsNameAndScopes() {
        ApiKeys.CreatedKey created = keys.create("ci", EnumSet.of(Scope.READ, Scope.SHARE));

        assertThat(created.plaintext()).startsWith("ftk_" + created.id() + "_");
        assertThat(created.dryRun()).isFalse();
        ApiKeys.ApiKeyInfo verified = keys.verify(created.plaintext()).orElseThrow();
        assertThat(verified.id()).isEqualTo(created.id());
        assertThat(verified.name()).isEqualTo("ci");
        assertThat(verified.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.SHARE);
        assertThat(verified.active()).isTrue();
        assertThat(keys.list()).extracting(ApiKeys.ApiKeyInfo::id).contains(created.id());
    }

    @Test
    void wrongSecretsAndMalformedKeysDoNotVerify() {
        ApiKeys.CreatedKey created = keys.create("wrong-secret", EnumSet.of(Scope.READ));
        String plaintext = created.plaintext();
        char last = plaintext.charAt(plaintext.length() - 1);
        String tampered = plaintext.substring(0, plaintext.length() - 1) + (last == 'A' ? 'B' : 'A');

        assertThat(keys.verify(tampered)).isEmpty();
        assertThat(keys.verify("ftk_" + created.id())).isEmpty();
        assertThat(keys.verify(plaintext.substring(4))).isEmpty();
        assertThat(keys.verify(null)).isEmpty();
        assertThat(keys.verify("ftk_nosuchid_" + plaintext.substring(plaintext.lastIndexOf('_') + 1))).isEmpty();
    }

    @Test
    void revokedKeyNoLongerVerifies() {
        ApiKeys.CreatedKey created = keys.create("to-revoke", EnumSet.of(Scope.ADMIN));
        assertThat(keys.verify(created.plaintext())).isPresent();

        ApiKeys.Revocation revocation = keys.revoke(created.id());

        assertThat(revocation.found()).isTrue();
        assertThat(revocation.wasActive()).isTrue();
        assertThat(keys.verify(created.plaintext())).isEmpty();
        ApiKeys.ApiKeyInfo listed = keys.list().stream().filter(k -> k.id().equals(created.id())).findFirst()
                .orElseThrow();
        assertThat(listed.active()).isFalse();
        assertThat(keys.revoke(created.id()).wasActive()).isFalse();
        assertThat(keys.revoke("nosuchid").found()).isFalse();
    }

    @Test
    void storesOnlyTheSecretsSha256() throws Exception {
        ApiKeys.CreatedKey created = keys.create("hashed", EnumSet.of(Scope.READ));
        String secret = created.plaintext().substring(("ftk_" + created.id() + "_").length());

        List<String> stored = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement select = c.prepareStatement("SELECT * FROM " + KEYS_SCHEMA + ".api_keys WHERE id = ?")) {
            select.setString(1, created.id());
            try (ResultSet rs = select.executeQuery()) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    stored.add(rs.getString(i));
                }
                assertThat(rs.getString("secret_sha256")).isEqualTo(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8))));
            }
        }
        assertThat(stored).noneMatch(value -> value != null && value.contains(secret));
    }

    @Test
    void dryRunsWriteNothing() throws Exception {
        long before = rows();
        ApiKeys.CreatedKey dry = keys.create("dry", EnumSet.of(Scope.READ), true);

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.plaintext()).startsWith("ftk_" + dry.id() + "_");
        assertThat(rows()).isEqualTo(before);
        assertThat(keys.verify(dry.plaintext())).isEmpty();

        ApiKeys.CreatedKey real = keys.create("dry-revoke", EnumSet.of(Scope.READ));
        ApiKeys.Revocation dryRevoke = keys.revoke(real.id(), true);
        assertThat(dryRevoke.dryRun()).isTrue();
        assertThat(dryRevoke.wasActive()).isTrue();
        assertThat(keys.verify(real.plaintext())).isPresent();
    }

    @Test
    void createRefusesMissingNameOrScopes() {
        assertThatThrownBy(() -> keys.create(" ", EnumSet.of(Scope.READ)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> keys.create("no-scopes", EnumSet.noneOf(Scope.class)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scope");
    }

    @Test
    void aKeyMadeElsewhereIsRegisteredByItsHashAndVerifies() {
        ApiKeys.KeyMaterial made = ApiKeys.generate();
        assertThat(made.plaintext()).startsWith("ftk_" + made.id() + "_");

        ApiKeys.CreatedKey registered = keys.register(made.id(), "smoke", EnumSet.of(Scope.READ), made.secretSha256(), false);

        assertThat(registered.plaintext()).as("the store never has the plaintext").isNull();
        ApiKeys.ApiKeyInfo verified = keys.verify(made.plaintext()).orElseThrow();
        assertThat(verified.id()).isEqualTo(made.id());
        assertThat(verified.scopes()).containsExactly(Scope.READ);
        assertThat(ApiKeys.generate().id()).isNotEqualTo(made.id());
    }

    @Test
    void registerRefusesAnIdThatExistsABadIdOrABadHashAndADryRunStoresNothing() throws Exception {
        ApiKeys.KeyMaterial made = ApiKeys.generate();
        keys.register(made.id(), "first", EnumSet.of(Scope.READ), made.secretSha256(), false);
        ApiKeys.KeyMaterial other = ApiKeys.generate();

        assertThatThrownBy(() -> keys.register(made.id(), "second", EnumSet.of(Scope.ADMIN), other.secretSha256(), false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exists already");
        assertThat(keys.verify(made.plaintext())).as("the first key is untouched").isPresent();
        assertThatThrownBy(() -> keys.register("a_b", "x", EnumSet.of(Scope.READ), other.secretSha256(), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key id");
        assertThatThrownBy(() -> keys.register(other.id(), "x", EnumSet.of(Scope.READ), "ABC", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SHA-256");

        long before = rows();
        assertThat(keys.register(other.id(), "dry", EnumSet.of(Scope.READ), other.secretSha256(), true).dryRun()).isTrue();
        assertThat(rows()).isEqualTo(before);
        assertThat(keys.verify(other.plaintext())).isEmpty();
    }

    @Test
    void parseScopesReadsACommaListAndRejectsUnknownScopes() {
        assertThat(ApiKeys.parseScopes(" Read , admin,")).containsExactlyInAnyOrder(Scope.READ, Scope.ADMIN);
        assertThat(ApiKeys.parseScopes("read,write")).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
        assertThatThrownBy(() -> ApiKeys.parseScopes("read,delete"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'delete'");
    }

    private static long rows() throws Exception {
        try (Connection c = database.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + KEYS_SCHEMA + ".api_keys")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
