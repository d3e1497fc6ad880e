package dev.filetrail.bridge.kafka;

/** One record the bridge will write to Kafka, with a short description of what it is for the logs. */
public record OutboundRecord(String topic, String key, byte[] value, String describe) {
}
