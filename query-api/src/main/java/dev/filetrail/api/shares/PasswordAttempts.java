package dev.filetrail.api.shares;

/**
 * Throttles share-link password attempts per link and per client address. Every attempt takes a token from
 * both buckets before the password is checked (so parallel guesses cannot all slip through), and a right
 * password gives both back: only wrong passwords count. Per link stops many addresses guessing one link's
 * password; per client stops one address guessing across many links.
 */
final class PasswordAttempts {
    private final RateLimiter perLink;
    private final RateLimiter perClient;

    PasswordAttempts(int perMinute) {
        this.perLink = new RateLimiter(perMinute);
        this.perClient = new RateLimiter(perMinute);
    }

    /** What {@link #admit} decided: 0 seconds means the attempt may go ahead. */
    record Admission(long retryAfterSeconds, boolean byLink) {
        boolean admitted() {
            return retryAfterSeconds == 0;
        }
    }

    Admission admit(String linkId, String client, long nowNanos) {
        if (!perLink.tryAcquire(linkId, nowNanos)) {
            return new Admission(perLink.retryAfterSeconds(linkId), true);
        }
        if (!perClient.tryAcquire(client, nowNanos)) {
            perLink.refund(linkId);
            return new Admission(perClient.retryAfterSeconds(client), false);
        }
        return new Admission(0, false);
    }

    /** The password was right: the attempt does not count against either. */
    void succeeded(String linkId, String client) {
        perLink.refund(linkId);
        perClient.refund(client);
    }
}
