package dev.filetrail.local.chaos;

import java.util.List;
import java.util.Map;

/**
 * What a chaos run did and found: {@code passed} when nothing was lost, doubled, misordered or wrong, nothing was
 * dead-lettered or rejected, and reconcile found no difference.
 *
 * @param operations     S3 operations by kind
 * @param faults         faults injected by kind
 * @param exits          services that exited on their own (e.g. starting while PostgreSQL was down) and were
 *                       started again, by service
 * @param deliveries     notifications passed on by the relay: forwarded, duplicated, delayed (held back)
 * @param versions       versions (and delete markers) S3 lists for the keys, all checked
 * @param lost           versions S3 lists that the API's history lacks
 * @param doubled        versions the API's history shows more than once, or that S3 does not list
 * @param misordered     keys whose history is not in the order S3 made the versions
 * @param wrongCurrent   keys whose current version (or deletion) differs from S3's
 * @param parked         dead letters and rejects by place (ingest, streams, sqs, projector)
 * @param reconcile      differences {@code filetrail reconcile} reported (-1 if it failed)
 * @param settleMillis   time from the last write until the stack had settled
 * @param problems       each problem found, in words (empty when passed)
 */
public record ChaosReport(long seed, long durationSeconds, double rate, Map<String, Long> operations,
                          Map<String, Long> faults, Map<String, Long> exits, Map<String, Long> deliveries, int keys, long versions, long lost,
                          long doubled, long misordered, long wrongCurrent, Map<String, Long> parked, long reconcile,
                          long settleMillis, boolean passed, List<String> problems) {
}
