package dev.filetrail.launcher.reprocess;

/** The two Lambda processors a version is handed to, and the column of reprocess_versions recording each hand-over. */
public enum Processor {
    THUMBNAILER("thumbnail_sent_at"),
    METADATA("metadata_sent_at");

    private final String sentColumn;

    Processor(String sentColumn) {
        this.sentColumn = sentColumn;
    }

    String sentColumn() {
        return sentColumn;
    }

    /** The name used in summaries and logs. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
