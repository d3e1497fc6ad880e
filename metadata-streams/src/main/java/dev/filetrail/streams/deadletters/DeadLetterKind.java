package dev.filetrail.streams.deadletters;

/** Why the topology parked a record: the stage that could not handle it, as logged, counted and stored. */
public enum DeadLetterKind {
    /** The input's bytes are not a record of its topic's type (the deserialization handler). */
    DECODE,
    /** The input decoded but cannot be applied: it breaks a rule of the topology (the processing handler). */
    APPLY,
    /** An output record derived from the input could not be serialized (the production handler). */
    PRODUCE;

    /** The lower-case word used in logs, the metric's {@code kind} tag and the letter's header. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static DeadLetterKind ofWord(String word) {
        return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
}
