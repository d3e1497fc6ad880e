package dev.filetrail.api.rewind;

import dev.filetrail.api.files.FileQueries;
import dev.filetrail.api.files.FileReads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes a rewind's plan from the read model: per key under the prefix that exists now or existed at the instant,
 * the as-of version ({@link FileQueries#listAsOf}) against the current one ({@link FileQueries#list}).
 */
public final class RewindPlanner {
    private static final int PAGE = 1000;
    private final FileReads queries;

    public RewindPlanner(FileReads queries) {
        this.queries = queries;
    }

    /** The plan for {@code prefix} of {@code bucket} back to {@code to}, in key order. */
    public RewindPlan plan(String bucket, String prefix, Instant to) {
        Map<String, String> then = new TreeMap<>();
        String after = null;
        while (true) {
            List<FileQueries.AsOfRow> page = queries.listAsOf(bucket, prefix, after, to, PAGE);
            page.forEach(row -> then.put(row.key(), row.versionId()));
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        Map<String, String> now = new TreeMap<>();
        after = null;
        while (true) {
            List<FileQueries.FileRow> page = queries.list(bucket, prefix, after, PAGE);
            page.forEach(row -> now.put(row.key(), row.currentVersionId()));
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        TreeMap<String, Boolean> keys = new TreeMap<>();
        then.keySet().forEach(k -> keys.put(k, true));
        now.keySet().forEach(k -> keys.put(k, true));
        List<RewindPlan.Action> actions = new ArrayList<>(keys.size());
        for (String key : keys.keySet()) {
            String was = then.get(key);
            String is = now.get(key);
            RewindPlan.Kind kind = was == null ? (is == null ? RewindPlan.Kind.KEEP : RewindPlan.Kind.DELETE)
                    : was.equals(is) ? RewindPlan.Kind.KEEP : RewindPlan.Kind.RESTORE;
            actions.add(new RewindPlan.Action(key, kind, was, is));
        }
        return new RewindPlan(bucket, prefix, to, List.copyOf(actions));
    }
}
