package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void refillsPerKey() {
        RateLimiter limiter = new RateLimiter(2);
        long t = 0;
        assertThat(limiter.tryAcquire("a", t)).isTrue();
        assertThat(limiter.tryAcquire("a", t)).isTrue();
        assertThat(limiter.tryAcquire("a", t)).isFalse();
        assertThat(limiter.retryAfterSeconds("a")).isEqualTo(30);
        assertThat(limiter.tryAcquire("b", t)).isTrue();
        assertThat(limiter.tryAcquire("a", t + 30_000_000_000L)).isTrue();
    }

    @Test
    void aRefundGivesBackOneTokenButNeverMoreThanTheBucketHolds() {
        RateLimiter limiter = new RateLimiter(2);
        assertThat(limiter.tryAcquire("a", 0)).isTrue();
        assertThat(limiter.tryAcquire("a", 0)).isTrue();
        limiter.refund("a");
        assertThat(limiter.tryAcquire("a", 0)).isTrue();
        assertThat(limiter.tryAcquire("a", 0)).isFalse();
        limiter.refund("a");
        limiter.refund("a");
        limiter.refund("a");
        assertThat(limiter.tryAcquire("a", 0)).isTrue();
        assertThat(limiter.tryAcquire("a", 0)).isTrue();
        assertThat(limiter.tryAcquire("a", 0)).isFalse();
        limiter.refund("never-seen");
        assertThat(limiter.tryAcquire("never-seen", 0)).isTrue();
    }
}
