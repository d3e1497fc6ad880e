package dev.filetrail.launcher.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr, redrawn in place with a carriage return at most ten times a second. Drawn only
 * when enabled (a terminal, or {@code --progress}), so stdout, and with it {@code --json}, is never touched.
 * With an unknown total it shows the count and the rate instead of a bar.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final String unit;
    private final LongSupplier nanoTime;
    private final long started;
    private long total;
    private long lastDraw = Long.MIN_VALUE;
    private int lastLength;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean enabled, String label, long total, String unit) {
        this(err, enabled, label, total, unit, System::nanoTime);
    }

    ProgressBar(PrintWriter err, boolean enabled, String label, long total, String unit, LongSupplier nanoTime) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.total = total;
        this.unit = unit;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    /** A bar that draws nothing. */
    static ProgressBar off() {
        return new ProgressBar(new PrintWriter(PrintWriter.nullWriter()), false, "", -1, "");
    }

    void total(long newTotal) {
        this.total = newTotal;
    }

    /** Redraws with {@code done} of the total and a short detail, unless the last redraw was too recent. */
    void update(long done, String detail) {
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (drawn && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        draw(render(done, detail, now));
    }

    /** The line for {@code done} at {@code now}: label, bar (known total) or count, rate, detail. */
    String render(long done, String detail, long now) {
        double seconds = Math.max(0.001, (now - started) / 1e9);
        double rate = done / seconds;
        StringBuilder line = new StringBuilder(label).append(' ');
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(fraction * WIDTH);
            line.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%% %,d/%,d %s", Math.round(fraction * 100), done, total, unit));
            if (rate > 0 && done < total) {
                line.append(String.format(Locale.ROOT, " ETA %ds", Math.round((total - done) / rate)));
            }
        } else {
            line.append(String.format(Locale.ROOT, "%,d %s", done, unit));
        }
        line.append(String.format(Locale.ROOT, " %,.0f/s", rate));
        if (detail != null && !detail.isBlank()) {
            line.append("  ").append(detail.length() > 40 ? detail.substring(0, 37) + "..." : detail);
        }
        return line.toString();
    }

    private void draw(String line) {
        // Pad over the previous line's tail: the new one may be shorter.
        String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
        err.print("\r" + padded);
        err.flush();
        lastLength = line.length();
        drawn = true;
    }

    /** Draws the final state and ends the line, so what follows starts on a fresh one. */
    void finish(long done, String detail) {
        if (!enabled) {
            return;
        }
        draw(render(done, detail, nanoTime.getAsLong()));
        err.println();
        err.flush();
        drawn = false;
    }

    @Override
    public void close() {
        if (enabled && drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }
}
