package dev.filetrail.local.sns;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;

/**
 * Writes SNS's two delivery formats exactly as AWS does: the envelope an SQS subscriber receives, and the event a
 * Lambda subscriber is invoked with (which spells {@code SigningCertUrl} where the envelope says {@code ...URL}).
 * Messages are signed (SignatureVersion 1, SHA1withRSA over SNS's canonical string) with a key made at start,
 * whose public half the emulator serves at the SigningCertURL.
 */
public final class SnsEnvelopes {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT;

    private final KeyPair signingKey;
    private final String signingCertUrl;
    private final String unsubscribeBase;

    public SnsEnvelopes(String endpoint) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.signingKey = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is required by every JVM", e);
        }
        this.signingCertUrl = endpoint + "/SimpleNotificationService-local.pem";
        this.unsubscribeBase = endpoint + "/?Action=Unsubscribe&SubscriptionArn=";
    }

    /** The public half of the signing key in PEM, served at the SigningCertURL. */
    public String publicKeyPem() {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(signingKey.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** The JSON body SNS sends to an SQS subscriber without raw message delivery. */
    public String sqsEnvelope(SnsMessage message, Subscription subscription) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("Type", "Notification");
        node.put("MessageId", message.messageId());
        node.put("TopicArn", message.topicArn());
        if (message.subject() != null) {
            node.put("Subject", message.subject());
        }
        node.put("Message", message.message());
        node.put("Timestamp", timestamp(message));
        node.put("SignatureVersion", "1");
        node.put("Signature", sign(message));
        node.put("SigningCertURL", signingCertUrl);
        node.put("UnsubscribeURL", unsubscribeBase + subscription.arn());
        if (!message.stringAttributes().isEmpty()) {
            node.set("MessageAttributes", attributes(message.stringAttributes()));
        }
        return Json.writeString(node);
    }

    /** The event JSON a Lambda function subscribed to the topic is invoked with. */
    public String lambdaEvent(SnsMessage message, Subscription subscription) {
        ObjectNode sns = Json.MAPPER.createObjectNode();
        sns.put("Type", "Notification");
        sns.put("MessageId", message.messageId());
        sns.put("TopicArn", message.topicArn());
        sns.put("Subject", message.subject());
        sns.put("Message", message.message());
        sns.put("Timestamp", timestamp(message));
        sns.put("SignatureVersion", "1");
        sns.put("Signature", sign(message));
        sns.put("SigningCertUrl", signingCertUrl);
        sns.put("UnsubscribeUrl", unsubscribeBase + subscription.arn());
        sns.set("MessageAttributes", attributes(message.stringAttributes()));
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("EventSource", "aws:sns");
        record.put("EventVersion", "1.0");
        record.put("EventSubscriptionArn", subscription.arn());
        record.set("Sns", sns);
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        records.add(record);
        return Json.writeString(event);
    }

    private static ObjectNode attributes(Map<String, String> values) {
        ObjectNode attributes = Json.MAPPER.createObjectNode();
        values.forEach((name, value) -> {
            ObjectNode attribute = attributes.putObject(name);
            attribute.put("Type", "String");
            attribute.put("Value", value);
        });
        return attributes;
    }

    private static String timestamp(SnsMessage message) {
        return TIMESTAMP.format(message.timestamp().truncatedTo(ChronoUnit.MILLIS));
    }

    /** SNS signature version 1: the canonical "name\nvalue\n" string of the notification's fields, in order. */
    String canonicalString(SnsMessage message) {
        StringBuilder canonical = new StringBuilder();
        canonical.append("Message\n").append(message.message()).append('\n');
        canonical.append("MessageId\n").append(message.messageId()).append('\n');
        if (message.subject() != null) {
            canonical.append("Subject\n").append(message.subject()).append('\n');
        }
        canonical.append("Timestamp\n").append(timestamp(message)).append('\n');
        canonical.append("TopicArn\n").append(message.topicArn()).append('\n');
        canonical.append("Type\nNotification\n");
        return canonical.toString();
    }

    private String sign(SnsMessage message) {
        try {
            Signature signature = Signature.getInstance("SHA1withRSA");
            signature.initSign(signingKey.getPrivate());
            signature.update(canonicalString(message).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign SNS message " + message.messageId(), e);
        }
    }

    /** Whether {@code signatureBase64} is this emulator's signature of {@code message}, as a subscriber checks it. */
    public boolean verify(SnsMessage message, String signatureBase64) {
        try {
            Signature signature = Signature.getInstance("SHA1withRSA");
            signature.initVerify(signingKey.getPublic());
            signature.update(canonicalString(message).getBytes(StandardCharsets.UTF_8));
            return signature.verify(Base64.getDecoder().decode(signatureBase64));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
