package dev.filetrail.local.chaos;

/** How a launcher command ended: its exit code and what it printed on stdout. */
public record OpsResult(int exit, String out) {
}
