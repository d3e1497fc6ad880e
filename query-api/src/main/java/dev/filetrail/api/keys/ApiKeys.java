package dev.filetrail.api.keys;

import dev.filetrail.events.object.EventIds;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API key store: creates keys (the plaintext is returned once and only its SHA-256 is kept), revokes and
 * lists them, and verifies a presented key. Keys look like {@code ftk_<id>_<secret>}: the id finds the row,
 * the secret's hash is compared in constant time. A 256-bit random secret needs no slow hash.
 */
public final class ApiKeys {
    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "ftk_";

    private final DataSource dataSource;
    private final KeyCache cache;

    /** A store that reads the database on every check (ops commands, tests). */
    public ApiKeys(DataSource dataSource) {
        this(dataSource, null);
    }

    /** A store that checks keys against {@code cache} first; a {@link KeyChangeListener} must keep it true. */
    public ApiKeys(DataSource dataSource, KeyCache cache) {
        this.dataSource = dataSource;
        this.cache = cache;
    }

    /** A key as listed: never its secret. */
    public record ApiKeyInfo(String id, String name, Set<Scope> scopes, Instant createdAt, Instant revokedAt,
                             Limits limits) {
        public boolean active() {
            return revokedAt == null;
        }

        /** Whether the key may see or change {@code bucket/key} at all. */
        public boolean mayAccess(String bucket, String key) {
            return limits.allows(bucket, key);
        }
    }

    /**
     * Where a key works and until when: some buckets only (empty = every bucket), keys under one prefix only (null =
     * every key), and until an instant (null = no end). An expired key is refused like a revoked one.
     */
    public record Limits(Set<String> buckets, String prefix, Instant expiresAt) {
        /** A key that works everywhere, forever. */
        public static final Limits NONE = new Limits(Set.of(), null, null);

        public Limits {
            buckets = buckets == null ? Set.of() : Set.copyOf(new TreeSet<>(buckets));
            prefix = prefix == null || prefix.isEmpty() ? null : prefix;
        }

        /** Whether the key is limited to some buckets or a prefix. */
        public boolean scoped() {
            return !buckets.isEmpty() || prefix != null;
        }

        public boolean allowsBucket(String bucket) {
            return buckets.isEmpty() || buckets.contains(bucket);
        }

        /** Whether everything under {@code keyPrefix} is within the key's prefix (a feed or listing of it). */
        public boolean allowsPrefix(String keyPrefix) {
            return prefix == null || keyPrefix != null && keyPrefix.startsWith(prefix);
        }

        public boolean allows(String bucket, String key) {
            return allowsBucket(bucket) && (prefix == null || key != null && key.startsWith(prefix));
        }

        public boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    /** A created key with its plaintext, shown to the operator once. */
    public record CreatedKey(String id, String name, Set<Scope> scopes, String plaintext, boolean dryRun,
                             Limits limits) {
        public CreatedKey(String id, String name, Set<Scope> scopes, String plaintext, boolean dryRun) {
            this(id, name, scopes, plaintext, dryRun, Limits.NONE);
        }
    }

    /** Result of a revocation: whether a key was found, and whether it was active until now. */
    public record Revocation(String id, boolean found, boolean wasActive, boolean dryRun) {
    }

    public CreatedKey create(String name, Set<Scope> scopes) {
        return create(name, scopes, false);
    }

    /**
     * A new key's parts: the plaintext its holder presents, and what the store keeps of it (the id and the SHA-256
     * of its secret). Made apart from the store so that a key can be made where it is used and only its hash handed
     * to {@link #register}.
     */
    public record KeyMaterial(String id, String plaintext, String secretSha256) {
    }

    /** A fresh key with a 256-bit random secret; nothing is stored. */
    public static KeyMaterial generate() {
        String id = randomToken(9).replace('-', 'x').replace('_', 'y');
        String secret = randomToken(32);
        return new KeyMaterial(id, PREFIX + id + "_" + secret, sha256(secret));
    }

    /** Creates a key; with {@code dryRun} the key is generated and shown but not stored. */
    public CreatedKey create(String name, Set<Scope> scopes, boolean dryRun) {
        return create(name, scopes, Limits.NONE, dryRun);
    }

    /** Creates a key limited to some buckets, a key prefix and/or a lifetime ({@link Limits}). */
    public CreatedKey create(String name, Set<Scope> scopes, Limits limits, boolean dryRun) {
        KeyMaterial key = generate();
        register(key.id(), name, scopes, key.secretSha256(), limits, dryRun);
        return new CreatedKey(key.id(), name, EnumSet.copyOf(scopes), key.plaintext(), dryRun, limits);
    }

    /**
     * Stores a key whose secret only its holder knows (made by {@link #generate()} elsewhere): the returned key has
     * no plaintext. An id that is not 1..40 letters, digits and '-', or a hash that is not 64 lower-case hex digits,
     * is an IllegalArgumentException; an id that exists already an IllegalStateException (the existing key stays).
     */
    public CreatedKey register(String id, String name, Set<Scope> scopes, String secretSha256, boolean dryRun) {
        return register(id, name, scopes, secretSha256, Limits.NONE, dryRun);
    }

    /** {@link #register(String, String, Set, String, boolean)} for a key with {@link Limits}. */
    public CreatedKey register(String id, String name, Set<Scope> scopes, String secretSha256, Limits limits,
                               boolean dryRun) {
        for (String bucket : limits.buckets()) {
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name");
            }
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("a key needs a name of 1..200 characters");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope (read, share, admin)");
        }
        if (id == null || !id.matches("[A-Za-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("a key id is 1..40 letters, digits and '-', got '" + id + "'");
        }
        if (secretSha256 == null || !secretSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("the secret's SHA-256 must be 64 lower-case hex digits");
        }
        Set<Scope> stored = EnumSet.copyOf(scopes);
        if (!dryRun) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement insert = c.prepareStatement(
                         "INSERT INTO api_keys (id, name, secret_sha256, scopes, buckets, key_prefix, expires_at) "
                                 + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                insert.setString(1, id);
                insert.setString(2, name);
                insert.setString(3, secretSha256);
                insert.setArray(4, c.createArrayOf("text", stored.stream().map(Scope::wireName).toArray()));
                insert.setArray(5, limits.buckets().isEmpty() ? null
                        : c.createArrayOf("text", limits.buckets().toArray()));
                insert.setString(6, limits.prefix());
                insert.setTimestamp(7, limits.expiresAt() == null ? null
                        : java.sql.Timestamp.from(limits.expiresAt()));
                if (insert.executeUpdate() == 0) {
                    throw new IllegalStateException("an API key with id " + id + " exists already");
                }
            } catch (SQLException e) {
                throw new IllegalStateException("could not store API key " + name, e);
            }
            invalidateHere(id);
            log.info("api key created id={} name={} scopes={} buckets={} prefix={} expiresAt={}", id, name, stored,
                    limits.buckets(), limits.prefix(), limits.expiresAt());
        }
        return new CreatedKey(id, name, stored, null, dryRun, limits);
    }

    public Revocation revoke(String id) {
        return revoke(id, false);
    }

    public Revocation revoke(String id, boolean dryRun) {
        Optional<ApiKeyInfo> key = list().stream().filter(k -> k.id().equals(id)).findFirst();
        if (key.isEmpty()) {
            return new Revocation(id, false, false, dryRun);
        }
        if (!dryRun && key.get().active()) {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement update = c.prepareStatement(
                         "UPDATE api_keys SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
                update.setString(1, id);
                update.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("could not revoke API key " + id, e);
            }
            invalidateHere(id);
            log.info("api key revoked id={}", id);
        }
        return new Revocation(id, true, key.get().active(), dryRun);
    }

    public List<ApiKeyInfo> list() {
        List<ApiKeyInfo> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT id, name, scopes, created_at, revoked_at, buckets, key_prefix, expires_at FROM api_keys "
                             + "ORDER BY created_at, id");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                keys.add(new ApiKeyInfo(rs.getString(1), rs.getString(2), scopes(rs.getArray(3)),
                        rs.getTimestamp(4).toInstant(),
                        rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant(), limits(rs, 6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not list API keys", e);
        }
        return keys;
    }

    /** The name a key was given (revoked or not), for showing who created something. */
    public Optional<String> name(String id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT name FROM api_keys WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not look up API key " + id, e);
        }
    }

    /** The active key a presented plaintext names, if the secret matches; empty for anything else. */
    public Optional<ApiKeyInfo> verify(String plaintext) {
        if (plaintext == null || !plaintext.startsWith(PREFIX) || plaintext.length() > 200) {
            return Optional.empty();
        }
        int split = plaintext.indexOf('_', PREFIX.length());
        if (split < 0) {
            return Optional.empty();
        }
        String id = plaintext.substring(PREFIX.length(), split);
        byte[] presented = sha256(plaintext.substring(split + 1)).getBytes();
        long token = KeyCache.NOT_CACHING;
        if (cache != null) {
            KeyCache.Lookup cached = cache.lookup(id);
            if (cached instanceof KeyCache.Found found) {
                return matches(found.key(), presented);
            }
            if (cached instanceof KeyCache.Unknown) {
                return Optional.empty();
            }
            token = cache.beginLoad();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT id, name, secret_sha256, scopes, created_at, buckets, key_prefix, expires_at FROM api_keys "
                             + "WHERE id = ? AND revoked_at IS NULL")) {
            select.setString(1, id);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    if (cache != null) {
                        cache.putUnknown(token, id);
                    }
                    return Optional.empty();
                }
                KeyCache.CachedKey key = cachedKey(rs);
                if (cache != null) {
                    cache.putFound(token, key);
                }
                return matches(key, presented);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not verify API key", e);
        }
    }

    /** The key, if the secret matches and it has not expired (checked here, so a cached key expires too). */
    private static Optional<ApiKeyInfo> matches(KeyCache.CachedKey key, byte[] presentedSha256) {
        return MessageDigest.isEqual(presentedSha256, key.secretSha256().getBytes())
                && !key.limits().expired(Instant.now()) ? Optional.of(key.info()) : Optional.empty();
    }

    /** The local cache forgets at once; other instances hear of the change through the table's trigger. */
    private void invalidateHere(String id) {
        if (cache != null) {
            cache.invalidate(id);
        }
    }

    /** Reads a row of {@code id, name, secret_sha256, scopes, created_at, buckets, key_prefix, expires_at}. */
    static KeyCache.CachedKey cachedKey(ResultSet rs) throws SQLException {
        return new KeyCache.CachedKey(rs.getString(1), rs.getString(2), rs.getString(3), scopes(rs.getArray(4)),
                rs.getTimestamp(5).toInstant(), limits(rs, 6));
    }

    /** Reads {@code buckets, key_prefix, expires_at} starting at column {@code first}. */
    private static Limits limits(ResultSet rs, int first) throws SQLException {
        Array buckets = rs.getArray(first);
        Set<String> names = new TreeSet<>();
        if (buckets != null) {
            for (Object value : (Object[]) buckets.getArray()) {
                names.add((String) value);
            }
        }
        java.sql.Timestamp expires = rs.getTimestamp(first + 2);
        return new Limits(names, rs.getString(first + 1), expires == null ? null : expires.toInstant());
    }

    private static Set<Scope> scopes(Array array) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (Object value : (Object[]) array.getArray()) {
            scopes.add(Scope.parse((String) value));
        }
        return scopes;
    }

    /** Parses a comma-separated scope list, for command lines. */
    public static Set<Scope> parseScopes(String commaSeparated) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : new TreeSet<>(List.of(commaSeparated.split(",")))) {
            if (!part.isBlank()) {
                scopes.add(Scope.parse(part));
            }
        }
        return scopes;
    }

    static String randomToken(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    static String sha256(String value) {
        return EventIds.sha256Hex(value);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
