package dev.filetrail.aws.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluator on small hand-written templates, one IAM rule at a time. */
class PolicyEvaluatorTest {
    private static final String REGION = "eu-west-1";
    private static final String BUCKET = "arn:aws:s3:::files";
    private static final PolicyEvaluator.Principal ROLE = PolicyEvaluator.Principal.role("Role");
    private static final PolicyEvaluator.Principal CLOUDFRONT = PolicyEvaluator.Principal.service("cloudfront.amazonaws.com");

    private static Map<String, Object> statement(String effect, Object actions, Object resources) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("Effect", effect);
        s.put("Action", actions);
        s.put("Resource", resources);
        return s;
    }

    private static Map<String, Object> with(Map<String, Object> statement, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(statement);
        copy.put(key, value);
        return copy;
    }

    /** A bucket, a KMS key, the role, its identity policy, the bucket policy and the key policy. */
    private static PolicyEvaluator evaluator(List<Object> identity, List<Object> bucketPolicy, List<Object> keyPolicy) {
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("Bucket", Map.of("Type", "AWS::S3::Bucket", "Properties", Map.of("BucketName", "files")));
        resources.put("Key", Map.of("Type", "AWS::KMS::Key", "Properties",
                Map.of("KeyPolicy", Map.of("Statement", keyPolicy))));
        resources.put("Role", Map.of("Type", "AWS::IAM::Role", "Properties", Map.of()));
        resources.put("RolePolicy", Map.of("Type", "AWS::IAM::Policy", "Properties", Map.of(
                "Roles", List.of(Map.of("Ref", "Role")), "PolicyDocument", Map.of("Statement", identity))));
        resources.put("BucketPolicy", Map.of("Type", "AWS::S3::BucketPolicy", "Properties", Map.of(
                "Bucket", Map.of("Ref", "Bucket"), "PolicyDocument", Map.of("Statement", bucketPolicy))));
        return new PolicyEvaluator(new TemplateValues(Map.of("Resources", resources), REGION));
    }

    private static Object objectsUnder(String prefix) {
        return Map.of("Fn::Join", List.of("", List.of(Map.of("Fn::GetAtt", List.of("Bucket", "Arn")), "/" + prefix + "*")));
    }

    @Test
    void resourceWildcardsMatchUnderTheirPrefixAndActionsIgnoreCase() {
        PolicyEvaluator e = evaluator(List.of(statement("Allow", "s3:PutObject", objectsUnder("_derivatives/"))),
                List.of(), List.of());

        assertThat(e.evaluate(ROLE, "s3:putobject", BUCKET + "/_derivatives/thumbnails/a/b/64.jpg").allowed()).isTrue();
        assertThat(e.evaluate(ROLE, "s3:PutObject", BUCKET + "/photos/a.jpg").allowed()).isFalse();
        assertThat(e.evaluate(ROLE, "s3:GetObject", BUCKET + "/_derivatives/x").allowed()).isFalse();
        assertThat(e.evaluate(ROLE, "s3:PutObject", "arn:aws:s3:::other/_derivatives/x").allowed()).isFalse();
    }

    @Test
    void aWildcardInsideAnArnFieldStaysThereButOneEndingAFieldReachesOn() {
        assertThat(PolicyEvaluator.arnMatches("arn:aws:sqs:*:111122223333:ingest", "arn:aws:sqs:eu-west-1:111122223333:ingest")).isTrue();
        assertThat(PolicyEvaluator.arnMatches("arn:aws:sqs:eu-*", "arn:aws:sqs:eu-west-1:111122223333:ingest")).isTrue();
        assertThat(PolicyEvaluator.arnMatches("arn:aws:sqs:eu-*-1:111122223333:ingest", "arn:aws:sqs:eu-west-1:111122223333:ingest")).isTrue();
        assertThat(PolicyEvaluator.arnMatches("arn:aws:sqs:e*1:ingest", "arn:aws:sqs:eu-west-1:111122223333:ingest"))
                .as("a * inside the region field cannot swallow the account").isFalse();
        assertThat(PolicyEvaluator.arnMatches("arn:aws:s3:::b/_derivatives/*", "arn:aws:s3:::b/_derivatives/x/y:z.jpg")).isTrue();
        assertThat(PolicyEvaluator.arnMatches("arn:aws:s3:::b/_derivatives/*", "arn:aws:s3:::b/photos/_derivatives/x")).isFalse();
        assertThat(PolicyEvaluator.actionMatches("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext")).isTrue();
        assertThat(PolicyEvaluator.actionMatches("sqs:Send?essage", "sqs:SendMessage")).isTrue();
    }

    @Test
    void anExplicitDenyWinsOverAnyAllow() {
        Map<String, Object> allow = statement("Allow", List.of("s3:GetObject", "s3:GetObjectVersion"), objectsUnder(""));
        PolicyEvaluator e = evaluator(List.of(allow, statement("Deny", "s3:GetObjectVersion", objectsUnder("secret/"))),
                List.of(), List.of());

        assertThat(e.evaluate(ROLE, "s3:GetObjectVersion", BUCKET + "/photos/a.jpg").allowed()).isTrue();
        PolicyEvaluator.Decision denied = e.evaluate(ROLE, "s3:GetObjectVersion", BUCKET + "/secret/a.jpg");
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.why()).contains("explicitly denied by RolePolicy");
    }

    @Test
    void notActionAllowsEverythingElse() {
        Map<String, Object> allBut = new LinkedHashMap<>();
        allBut.put("Effect", "Allow");
        allBut.put("NotAction", List.of("s3:DeleteObject*"));
        allBut.put("Resource", objectsUnder(""));
        PolicyEvaluator e = evaluator(List.of(allBut), List.of(), List.of());

        assertThat(e.evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isTrue();
        assertThat(e.evaluate(ROLE, "s3:DeleteObjectVersion", BUCKET + "/a").allowed()).isFalse();
    }

    @Test
    void aTlsOnlyDenyDoesNotBindTlsCallsButADenyWithAnUnknownConditionDoes() {
        Map<String, Object> allow = statement("Allow", "s3:GetObject", objectsUnder(""));
        Map<String, Object> tlsOnly = with(with(statement("Deny", "s3:*", List.of(BUCKET, objectsUnder(""))),
                "Principal", Map.of("AWS", "*")), "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")));
        Map<String, Object> oldTls = with(with(statement("Deny", "s3:*", objectsUnder("")), "Principal", "*"),
                "Condition", Map.of("NumericLessThan", Map.of("s3:TlsVersion", 1.2)));
        assertThat(evaluator(List.of(allow), List.of(tlsOnly, oldTls), List.of())
                .evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isTrue();

        Map<String, Object> unknown = with(with(statement("Deny", "s3:*", objectsUnder("")), "Principal", "*"),
                "Condition", Map.of("StringNotEquals", Map.of("aws:PrincipalOrgID", "o-123")));
        assertThat(evaluator(List.of(allow), List.of(unknown), List.of())
                .evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isFalse();
    }

    @Test
    void aBucketPolicyGrantsOnlyThePrincipalItNames() {
        Map<String, Object> oac = with(statement("Allow", "s3:GetObject", objectsUnder("")), "Principal",
                Map.of("Service", "cloudfront.amazonaws.com"));
        PolicyEvaluator e = evaluator(List.of(), List.of(oac), List.of());

        assertThat(e.evaluate(CLOUDFRONT, "s3:GetObject", BUCKET + "/a").allowed()).isTrue();
        assertThat(e.evaluate(CLOUDFRONT, "s3:GetObjectVersion", BUCKET + "/a").allowed()).isFalse();
        assertThat(e.evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isFalse();
    }

    @Test
    void theAccountAsPrincipalGrantsNothingByItselfButItsDenyBindsEveryRole() {
        Map<String, Object> account = with(statement("Allow", "s3:GetObject", objectsUnder("")), "Principal",
                Map.of("AWS", "arn:aws:iam::111122223333:root"));
        assertThat(evaluator(List.of(), List.of(account), List.of())
                .evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isFalse();

        Map<String, Object> accountDeny = with(statement("Deny", "s3:GetObject", objectsUnder("")), "Principal",
                Map.of("AWS", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                        ":iam::", Map.of("Ref", "AWS::AccountId"), ":root")))));
        assertThat(evaluator(List.of(statement("Allow", "s3:GetObject", objectsUnder(""))), List.of(accountDeny), List.of())
                .evaluate(ROLE, "s3:GetObject", BUCKET + "/a").allowed()).isFalse();
    }

    @Test
    void kmsNeedsTheKeyPolicyToAllowOrToDelegateToIam() {
        String key = "arn:aws:kms:" + REGION + ":111122223333:key/key-key";
        Map<String, Object> identity = statement("Allow", "kms:Decrypt", Map.of("Fn::GetAtt", List.of("Key", "Arn")));
        Map<String, Object> delegate = with(statement("Allow", "kms:*", "*"), "Principal",
                Map.of("AWS", "arn:aws:iam::111122223333:root"));
        Map<String, Object> adminOnly = with(statement("Allow", "kms:Describe*", "*"), "Principal",
                Map.of("AWS", "arn:aws:iam::111122223333:root"));

        assertThat(evaluator(List.of(identity), List.of(), List.of(delegate)).evaluate(ROLE, "kms:Decrypt", key).allowed())
                .isTrue();
        PolicyEvaluator.Decision notDelegated = evaluator(List.of(identity), List.of(), List.of(adminOnly))
                .evaluate(ROLE, "kms:Decrypt", key);
        assertThat(notDelegated.allowed()).isFalse();
        assertThat(notDelegated.why()).contains("does not delegate");
        assertThat(evaluator(List.of(), List.of(), List.of(delegate)).evaluate(ROLE, "kms:Decrypt", key).allowed())
                .as("delegation alone grants nothing").isFalse();
    }
}
