package dev.filetrail.local.chaos;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One chaos run's settings.
 *
 * @param duration      how long the generator writes while faults are injected
 * @param rate          S3 operations per second
 * @param seed          seeds the generator and the relay (which deliveries are doubled or held back)
 * @param keys          how many keys the generator writes to
 * @param settleTimeout how long the stack may take to settle after the last write before the run fails
 * @param outputDir     where the stack's data, the service logs and {@code chaos-report.json} go
 */
public record ChaosOptions(Duration duration, double rate, long seed, int keys, Duration settleTimeout,
                           Path outputDir) {
    public ChaosOptions {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        if (rate <= 0 || rate > 200) {
            throw new IllegalArgumentException("rate must be in (0, 200] operations per second, was " + rate);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, was " + keys);
        }
    }
}
