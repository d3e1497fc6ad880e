package dev.filetrail.aws.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What IAM checks for one recorded SDK call: the action(s) the operation needs on its resource, the
 * {@code s3:ListBucket} S3 needs before it answers 404 instead of 403 for a missing key the code expects to be
 * missing, and the KMS actions a call on a KMS-encrypted bucket, queue or topic needs on that key. An operation
 * not listed here fails the check until someone adds it, rather than being waved through.
 */
final class IamActions {
    /** One permission a call needs. */
    record Need(String action, String resource, String why) {
    }

    private IamActions() {
    }

    /** The permissions {@code call} (already translated to the stack's resource ARN) needs in {@code values}' stack. */
    static List<Need> needs(RecordedCall call, String resource, TemplateValues values) {
        List<Need> needs = new ArrayList<>();
        String operation = call.service() + ":" + call.operation();
        String action = switch (operation) {
            case "s3:GetObject", "s3:HeadObject" -> call.versioned() ? "s3:GetObjectVersion" : "s3:GetObject";
            case "s3:PutObject", "s3:CreateMultipartUpload", "s3:CompleteMultipartUpload" -> "s3:PutObject";
            // A copy writes its destination (the recorded ARN) and reads its source; the API's copies restore a
            // version of a key onto that same key, so the source is the same object (its version: versioned).
            case "s3:CopyObject", "s3:UploadPartCopy" -> "s3:PutObject";
            case "s3:DeleteObject" -> call.versioned() ? "s3:DeleteObjectVersion" : "s3:DeleteObject";
            case "s3:GetObjectTagging" -> call.versioned() ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging";
            case "s3:ListObjectVersions" -> "s3:ListBucketVersions";
            case "s3:ListObjectsV2", "s3:ListObjects", "s3:HeadBucket" -> "s3:ListBucket";
            case "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:SendMessage",
                 "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:PurgeQueue", "sqs:ListQueues",
                 "sqs:ListDeadLetterSourceQueues", "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks" -> operation;
            case "sqs:DeleteMessageBatch", "sqs:ChangeMessageVisibilityBatch", "sqs:SendMessageBatch" ->
                    operation.substring(0, operation.length() - "Batch".length());
            case "sns:Publish", "sns:PublishBatch" -> "sns:Publish";
            // Lambda's API operation is Invoke; IAM calls the permission InvokeFunction.
            case "lambda:Invoke" -> "lambda:InvokeFunction";
            default -> throw new IllegalArgumentException("no IAM action is known for " + operation
                    + " (recorded for " + call.component() + "): add it to IamActions");
        };
        needs.add(new Need(action, resource, operation));
        if (operation.equals("s3:CopyObject") || operation.equals("s3:UploadPartCopy")) {
            needs.add(new Need(call.versioned() ? "s3:GetObjectVersion" : "s3:GetObject", resource,
                    operation + " reads its source"));
        }
        // Tags are authorised apart from the write that carries them: S3 refuses a PutObject or
        // CreateMultipartUpload naming tags without s3:PutObjectTagging, and a copy of a tagged source under the
        // default COPY directive without s3:PutObjectTagging on the copy and the tag read on the source. Any
        // source may carry tags, so every such copy is held to it, tagged in the test or not. Which read S3 asks for
        // a version named as the source is not documented: both are needed.
        switch (call.tags()) {
            case "set" -> needs.add(new Need("s3:PutObjectTagging", resource, operation + " names tags (x-amz-tagging)"));
            case "copied" -> {
                needs.add(new Need("s3:PutObjectTagging", resource, operation + " copies its source's tags"));
                needs.add(new Need("s3:GetObjectTagging", resource, operation + " reads its source's tags"));
                if (call.versioned()) {
                    needs.add(new Need("s3:GetObjectVersionTagging", resource,
                            operation + " reads the tags of the source version"));
                }
            }
            case "none" -> { }
            default -> throw new IllegalArgumentException("unknown tags '" + call.tags() + "' in " + call);
        }
        String bucket = PolicyEvaluator.governingArn(resource);
        // The API reads a 403 for a version as "gone" (S3VersionActions.head), so it needs no s3:ListBucket for it.
        if ((operation.equals("s3:GetObject") || operation.equals("s3:HeadObject")) && call.status() == 404
                && !call.component().equals("api")) {
            needs.add(new Need("s3:ListBucket", bucket, operation + " of a missing key answered 404, which S3 does only "
                    + "with s3:ListBucket on the bucket (403 AccessDenied otherwise)"));
        }
        encryptionKey(values, call.service().equals("s3") ? bucket : resource).ifPresent(key -> {
            for (String kms : kmsActions(operation, call.status())) {
                needs.add(new Need(kms, key, operation + " on a KMS-encrypted resource"));
            }
        });
        return needs;
    }

    /** What the service asks KMS for on the caller's behalf. */
    private static List<String> kmsActions(String operation, int status) {
        boolean succeeded = status >= 200 && status < 300;
        return switch (operation) {
            // A read that found no object never reaches the key.
            case "s3:GetObject", "s3:HeadObject" -> succeeded ? List.of("kms:Decrypt") : List.of();
            case "s3:PutObject" -> List.of("kms:GenerateDataKey");
            // A copy decrypts its source and encrypts the copy; a multipart upload needs both from its start.
            case "s3:CopyObject", "s3:UploadPartCopy", "s3:CreateMultipartUpload" ->
                    succeeded ? List.of("kms:GenerateDataKey", "kms:Decrypt") : List.of();
            case "sqs:SendMessage", "sqs:SendMessageBatch", "sns:Publish", "sns:PublishBatch" ->
                    List.of("kms:GenerateDataKey", "kms:Decrypt");
            case "sqs:ReceiveMessage" -> List.of("kms:Decrypt");
            default -> List.of();
        };
    }

    /** The customer-managed key the bucket, queue or topic with this ARN is encrypted with, if any. */
    @SuppressWarnings("unchecked")
    static Optional<String> encryptionKey(TemplateValues values, String arn) {
        for (Map.Entry<String, Map<String, Object>> e : values.resources().entrySet()) {
            String type = (String) e.getValue().get("Type");
            if (!List.of("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::SNS::Topic").contains(type)
                    || !values.getAtt(e.getKey(), "Arn").equals(arn)) {
                continue;
            }
            Map<String, Object> props = (Map<String, Object>) e.getValue().getOrDefault("Properties", Map.of());
            Object key = null;
            if (type.equals("AWS::S3::Bucket")) {
                Map<String, Object> encryption = (Map<String, Object>) props.get("BucketEncryption");
                if (encryption != null) {
                    for (Object rule : PolicyEvaluator.list(encryption.get("ServerSideEncryptionConfiguration"))) {
                        Map<String, Object> byDefault = (Map<String, Object>) ((Map<String, Object>) rule)
                                .get("ServerSideEncryptionByDefault");
                        if (byDefault != null && "aws:kms".equals(byDefault.get("SSEAlgorithm"))) {
                            key = byDefault.get("KMSMasterKeyID");
                        }
                    }
                }
            } else {
                key = props.get("KmsMasterKeyId");
            }
            // AWS-managed keys (alias/aws/…) authorise by the service's own grant; only a key of the stack counts.
            return Optional.ofNullable(key).map(values::resolve).filter(k -> k.startsWith("arn:aws:kms:"));
        }
        return Optional.empty();
    }
}
