package dev.filetrail.api.shards;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The read model's shards as configured: {@code READ_MODEL_SHARDS} (comma-separated JDBC URLs, shard i is the i-th;
 * empty = one shard, {@code DATABASE_URL}), {@code READ_MODEL_REPLICAS} (aligned by index, an empty entry or a
 * shorter list = no replica), and per-shard credentials {@code DATABASE_USER_<i>} / {@code DATABASE_PASSWORD_<i>}
 * overriding {@code DATABASE_USER} / {@code DATABASE_PASSWORD}, and {@code READ_MODEL_FANOUT_THREADS}: how many
 * threads the query API may use to ask the shards at once ({@link ShardFanOut}; 0 = one after another).
 *
 * @param shardUrls  the shards' JDBC URLs; empty means one shard at {@code DATABASE_URL}
 * @param replicaUrls the replicas' JDBC URLs by shard index; an empty string is "no replica"
 * @param users      per-shard user overrides by index
 * @param passwords  per-shard password overrides by index
 * @param fanOutThreads the query API's threads for reads that ask every shard; 0 = on the request thread, one shard
 *                   after another
 */
public record ShardSettings(List<String> shardUrls, List<String> replicaUrls, Map<Integer, String> users,
                            Map<Integer, String> passwords, int fanOutThreads) {
    /** No READ_MODEL_SHARDS, no replicas, no overrides: today's single database. */
    public static final ShardSettings SINGLE = new ShardSettings(List.of(), List.of(), Map.of(), Map.of(),
            ShardFanOut.DEFAULT_THREADS);

    public ShardSettings {
        shardUrls = List.copyOf(shardUrls);
        replicaUrls = List.copyOf(replicaUrls);
        users = Map.copyOf(users);
        passwords = Map.copyOf(passwords);
        if (fanOutThreads < 0) {
            throw new IllegalArgumentException("READ_MODEL_FANOUT_THREADS must be 0 or more, got " + fanOutThreads);
        }
        for (String url : shardUrls) {
            if (!url.startsWith("jdbc:")) {
                throw new IllegalArgumentException("READ_MODEL_SHARDS must list JDBC URLs (jdbc:postgresql://…), got '"
                        + url + "'");
            }
        }
        if (!shardUrls.isEmpty() && replicaUrls.size() > shardUrls.size()) {
            throw new IllegalArgumentException("READ_MODEL_REPLICAS lists " + replicaUrls.size()
                    + " URLs for " + shardUrls.size() + " shards in READ_MODEL_SHARDS: it is aligned by index with them");
        }
        if (shardUrls.isEmpty() && replicaUrls.size() > 1) {
            throw new IllegalArgumentException("READ_MODEL_REPLICAS lists " + replicaUrls.size()
                    + " URLs but READ_MODEL_SHARDS is unset (one shard, DATABASE_URL): at most one replica");
        }
        for (String url : replicaUrls) {
            if (!url.isEmpty() && !url.startsWith("jdbc:")) {
                throw new IllegalArgumentException("READ_MODEL_REPLICAS must list JDBC URLs or empty entries, got '"
                        + url + "'");
            }
        }
    }

    /** Reads the shard variables through {@code get} (null = unset). */
    public static ShardSettings fromEnvironment(Function<String, String> get) {
        List<String> shards = split(get.apply("READ_MODEL_SHARDS"), false);
        List<String> replicas = split(get.apply("READ_MODEL_REPLICAS"), true);
        int count = Math.max(1, shards.size());
        Map<Integer, String> users = new TreeMap<>();
        Map<Integer, String> passwords = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String user = get.apply("DATABASE_USER_" + i);
            if (user != null && !user.isEmpty()) {
                users.put(i, user);
            }
            String password = get.apply("DATABASE_PASSWORD_" + i);
            if (password != null && !password.isEmpty()) {
                passwords.put(i, password);
            }
        }
        String threads = get.apply("READ_MODEL_FANOUT_THREADS");
        int fanOutThreads = ShardFanOut.DEFAULT_THREADS;
        if (threads != null && !threads.isBlank()) {
            try {
                fanOutThreads = Integer.parseInt(threads.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("READ_MODEL_FANOUT_THREADS must be an integer, got '" + threads + "'");
            }
        }
        return new ShardSettings(shards, replicas, users, passwords, fanOutThreads);
    }

    /** The shards with their resolved URLs and credentials; one shard at {@code databaseUrl} when none are listed. */
    public List<ShardEndpoint> endpoints(String databaseUrl, String user, String password) {
        List<String> urls = shardUrls.isEmpty() ? List.of(databaseUrl) : shardUrls;
        List<ShardEndpoint> endpoints = new ArrayList<>(urls.size());
        for (int i = 0; i < urls.size(); i++) {
            String replica = i < replicaUrls.size() && !replicaUrls.get(i).isEmpty() ? replicaUrls.get(i) : null;
            endpoints.add(new ShardEndpoint(i, urls.get(i), replica, users.getOrDefault(i, user),
                    passwords.getOrDefault(i, password)));
        }
        return List.copyOf(endpoints);
    }

    /** How many shards: the URLs listed, or one. */
    public int count() {
        return Math.max(1, shardUrls.size());
    }

    /** A copy with these shard URLs (tests and the local stack). */
    public ShardSettings withShards(List<String> urls) {
        return new ShardSettings(urls, replicaUrls, users, passwords, fanOutThreads);
    }

    /** A copy with these replica URLs. */
    public ShardSettings withReplicas(List<String> urls) {
        return new ShardSettings(shardUrls, urls, users, passwords, fanOutThreads);
    }

    private static List<String> split(String value, boolean keepEmpty) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<String> parts = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String trimmed = part.trim();
            if (trimmed.isEmpty() && !keepEmpty) {
                throw new IllegalArgumentException("READ_MODEL_SHARDS has an empty entry: every shard needs a URL, got '"
                        + value + "'");
            }
            parts.add(trimmed);
        }
        return parts;
    }

    /** One shard: its index, primary and optional replica URL, and its credentials (shared by both). */
    public record ShardEndpoint(int index, String url, String replicaUrl, String user, String password) {
        @Override
        public String toString() {
            // Never the password.
            return "shard " + index + " " + url + (replicaUrl == null ? "" : " (replica " + replicaUrl + ")");
        }
    }
}
