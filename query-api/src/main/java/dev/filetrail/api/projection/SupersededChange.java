package dev.filetrail.api.projection;

/**
 * The one rule for which change-feed rows may be forgotten: a row is superseded when a later change of the same
 * file exists in the same partition. The feed's hourly prune deletes only such rows, and a rebuild's carry-over
 * touches only such rows; both must agree, or a rebuilt feed would keep or drop what the live one would not.
 */
public final class SupersededChange {
    private SupersededChange() {
    }

    /**
     * SQL that is true when the row aliased {@code row} of {@code changesTable} is superseded by a later row of
     * the same table (a schema-qualified name for a rebuild's schema).
     */
    public static String condition(String changesTable, String row) {
        return "EXISTS (SELECT 1 FROM " + changesTable + " n WHERE n.bucket = " + row + ".bucket AND n.key = "
                + row + ".key AND n.topic_partition = " + row + ".topic_partition AND n.record_offset > " + row
                + ".record_offset)";
    }
}
