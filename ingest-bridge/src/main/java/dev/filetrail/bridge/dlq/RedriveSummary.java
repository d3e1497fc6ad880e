package dev.filetrail.bridge.dlq;

/**
 * What one redrive did: {@code redriven} letters sent back to SQS; {@code alreadyRedriven} letters a previous
 * redrive had taken and this one skipped (0 with {@code all}); {@code unreadable} records that were no letters.
 */
public record RedriveSummary(long redriven, long alreadyRedriven, long unreadable, String queueUrl) {
}
