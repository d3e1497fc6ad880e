package dev.filetrail.aws.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IAM's decision for one principal, action and resource ARN, from the policies of a synthesized template: the
 * identity policies attached to the principal's role, and the resource policy (bucket, queue, topic or key
 * policy) of the resource. What it evaluates: actions and {@code NotAction} with wildcards, resource ARNs and
 * {@code NotResource} with wildcards (as IAM matches them across ARN fields), principals of resource policies (a role,
 * a service, {@code *}, the account), explicit deny over any allow, and KMS's rule that the key policy must allow
 * the call itself or delegate to IAM policies (the account as principal). What it does not: conditions of an
 * Allow are assumed to hold; conditions of a Deny are evaluated only for the transport keys an SDK call over TLS
 * settles ({@code aws:SecureTransport}, {@code s3:TlsVersion}) and any other key makes the Deny apply; permission
 * boundaries, SCPs and session policies (the stack has none).
 */
final class PolicyEvaluator {
    /** Who calls: a role of the stack (by logical id) or an AWS service principal such as CloudFront. */
    record Principal(String roleLogicalId, String service) {
        static Principal role(String logicalId) {
            return new Principal(logicalId, null);
        }

        static Principal service(String name) {
            return new Principal(null, name);
        }

        @Override
        public String toString() {
            return roleLogicalId != null ? "role " + roleLogicalId : "service " + service;
        }
    }

    /** The outcome and the statement (or absence of one) that decided it. */
    record Decision(boolean allowed, String why) {
    }

    /** One statement and where it came from. */
    record Statement(String source, Map<String, Object> body) {
        boolean allows() {
            return "Allow".equals(body.get("Effect"));
        }
    }

    private static final double TLS_VERSION = 1.2;

    private final TemplateValues values;
    /** Resource policy statements by the ARN they govern (a bucket, queue, topic or key). */
    private final Map<String, List<Statement>> resourcePolicies = new LinkedHashMap<>();

    PolicyEvaluator(TemplateValues values) {
        this.values = values;
        values.resources().forEach((id, resource) -> {
            Map<String, Object> props = properties(resource);
            switch ((String) resource.get("Type")) {
                case "AWS::S3::BucketPolicy" -> add("arn:aws:s3:::" + values.resolve(props.get("Bucket")), id, props.get("PolicyDocument"));
                case "AWS::SQS::QueuePolicy" -> {
                    for (Object queue : list(props.get("Queues"))) {
                        add(queueArn(values.resolve(queue)), id, props.get("PolicyDocument"));
                    }
                }
                case "AWS::SNS::TopicPolicy" -> {
                    for (Object topic : list(props.get("Topics"))) {
                        add(values.resolve(topic), id, props.get("PolicyDocument"));
                    }
                }
                case "AWS::KMS::Key" -> add(values.getAtt(id, "Arn"), id, props.get("KeyPolicy"));
                default -> {
                }
            }
        });
    }

    TemplateValues values() {
        return values;
    }

    /** Whether {@code principal} may call {@code action} on {@code resource} (an ARN of the stand-in account). */
    Decision evaluate(Principal principal, String action, String resource) {
        List<Statement> identity = principal.roleLogicalId() == null ? List.of() : identityStatements(principal.roleLogicalId());
        List<Statement> governing = resourcePolicies.getOrDefault(governingArn(resource), List.of());
        for (Statement s : identity) {
            if (!s.allows() && matches(s, action, resource) && denyApplies(s)) {
                return new Decision(false, "explicitly denied by " + s.source());
            }
        }
        for (Statement s : governing) {
            if (!s.allows() && matches(s, action, resource) && principalMatches(s, principal, true) && denyApplies(s)) {
                return new Decision(false, "explicitly denied by the resource policy " + s.source());
            }
        }
        Optional<Statement> byIdentity = identity.stream().filter(s -> s.allows() && matches(s, action, resource)).findFirst();
        Optional<Statement> byResource = governing.stream()
                .filter(s -> s.allows() && matches(s, action, resource) && principalMatches(s, principal, false)).findFirst();
        if (action.toLowerCase(Locale.ROOT).startsWith("kms:")) {
            // A key policy is the root of a key's permissions: IAM policies count only where it delegates to them.
            boolean delegates = governing.stream().anyMatch(s -> s.allows() && matches(s, action, resource)
                    && accountPrincipal(s));
            if (byResource.isPresent()) {
                return new Decision(true, "allowed by the key policy " + byResource.get().source());
            }
            if (byIdentity.isPresent() && delegates) {
                return new Decision(true, "allowed by " + byIdentity.get().source() + " (the key policy delegates to IAM)");
            }
            return new Decision(false, byIdentity.isPresent() ? "the key policy does not delegate " + action + " to IAM"
                    : "no statement allows it");
        }
        if (byIdentity.isPresent()) {
            return new Decision(true, "allowed by " + byIdentity.get().source());
        }
        if (byResource.isPresent()) {
            return new Decision(true, "allowed by the resource policy " + byResource.get().source());
        }
        return new Decision(false, "no statement allows it");
    }

    /** Every statement of the identity policies attached to a role: its inline policies and AWS::IAM::Policy. */
    List<Statement> identityStatements(String roleLogicalId) {
        List<Statement> found = new ArrayList<>();
        Map<String, Object> role = properties(values.resource(roleLogicalId));
        if (role.containsKey("ManagedPolicyArns")) {
            throw new IllegalStateException(roleLogicalId + " carries managed policies, which this check cannot read");
        }
        for (Object policy : list(role.get("Policies"))) {
            addAll(found, roleLogicalId, ((Map<?, ?>) policy).get("PolicyDocument"));
        }
        values.resources().forEach((id, resource) -> {
            if ("AWS::IAM::Policy".equals(resource.get("Type"))
                    && list(properties(resource).get("Roles")).contains(Map.of("Ref", roleLogicalId))) {
                addAll(found, id, properties(resource).get("PolicyDocument"));
            }
        });
        return found;
    }

    private boolean matches(Statement s, String action, String resource) {
        Map<String, Object> body = s.body();
        boolean actionMatches = body.containsKey("NotAction")
                ? list(body.get("NotAction")).stream().noneMatch(a -> actionMatches((String) a, action))
                : list(body.get("Action")).stream().anyMatch(a -> actionMatches((String) a, action));
        if (!actionMatches) {
            return false;
        }
        if (body.containsKey("NotResource")) {
            return list(body.get("NotResource")).stream().noneMatch(r -> arnMatches(values.resolve(r), resource));
        }
        if (!body.containsKey("Resource")) {
            // A key policy's statements apply to the key they sit on.
            return true;
        }
        return list(body.get("Resource")).stream().anyMatch(r -> arnMatches(values.resolve(r), resource));
    }

    /**
     * Whether a resource policy statement names the caller. The account itself ({@code arn:…:root}) grants nobody
     * by itself in the same account (identity policies must allow too) but its Deny binds every principal in it.
     */
    @SuppressWarnings("unchecked")
    private boolean principalMatches(Statement s, Principal principal, boolean forDeny) {
        Object raw = s.body().get("Principal");
        if (raw == null) {
            if (s.body().containsKey("NotPrincipal")) {
                throw new IllegalStateException("NotPrincipal in " + s.source() + " is not evaluated by this check");
            }
            return false;
        }
        if ("*".equals(raw)) {
            return true;
        }
        Map<String, Object> principals = (Map<String, Object>) raw;
        for (Object aws : list(principals.get("AWS"))) {
            String arn = values.resolve(aws);
            if (arn.equals("*")) {
                return true;
            }
            if (principal.roleLogicalId() != null && arn.equals(values.getAtt(principal.roleLogicalId(), "Arn"))) {
                return true;
            }
            if (forDeny && principal.roleLogicalId() != null && isAccount(arn)) {
                return true;
            }
        }
        for (Object service : list(principals.get("Service"))) {
            if (principal.service() != null && principal.service().equals(values.resolve(service))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private boolean accountPrincipal(Statement s) {
        Object raw = s.body().get("Principal");
        if (!(raw instanceof Map<?, ?> principals)) {
            return false;
        }
        return list(((Map<String, Object>) principals).get("AWS")).stream().map(values::resolve).anyMatch(this::isAccount);
    }

    private boolean isAccount(String principal) {
        return principal.equals(TemplateValues.ACCOUNT)
                || principal.equals("arn:" + TemplateValues.PARTITION + ":iam::" + TemplateValues.ACCOUNT + ":root");
    }

    /** A Deny applies unless its conditions are ones a TLS call by the SDK provably does not meet. */
    @SuppressWarnings("unchecked")
    private boolean denyApplies(Statement s) {
        Object raw = s.body().get("Condition");
        if (raw == null) {
            return true;
        }
        for (Map.Entry<String, Object> operator : ((Map<String, Object>) raw).entrySet()) {
            for (Map.Entry<String, Object> condition : ((Map<String, Object>) operator.getValue()).entrySet()) {
                if (!conditionMayHold(operator.getKey(), condition.getKey(), list(condition.getValue()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean conditionMayHold(String operator, String key, List<Object> expected) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.equals("aws:securetransport") && operator.equals("Bool")) {
            return expected.stream().map(Object::toString).anyMatch("true"::equalsIgnoreCase);
        }
        if (k.equals("s3:tlsversion") && operator.startsWith("Numeric")) {
            return expected.stream().map(v -> Double.parseDouble(v.toString())).anyMatch(v -> switch (operator) {
                case "NumericLessThan" -> TLS_VERSION < v;
                case "NumericLessThanEquals" -> TLS_VERSION <= v;
                case "NumericGreaterThan" -> TLS_VERSION > v;
                case "NumericGreaterThanEquals" -> TLS_VERSION >= v;
                case "NumericEquals" -> TLS_VERSION == v;
                default -> true;
            });
        }
        // A condition this check cannot decide: assume it holds, so the Deny counts (the safe side).
        return true;
    }

    /** IAM's action match: case-insensitive, {@code *} and {@code ?} wildcards. */
    static boolean actionMatches(String pattern, String action) {
        return glob(pattern.toLowerCase(Locale.ROOT)).matcher(action.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * IAM's resource match: {@code *} and {@code ?} within ARN fields; a {@code *} that ends a field may expand
     * past the colons that follow it, one in the middle of a field may not (IAM's documented rule).
     */
    static boolean arnMatches(String pattern, String arn) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> regex.append(i + 1 == pattern.length() || pattern.charAt(i + 1) == ':' ? ".*" : "[^:]*");
                case '?' -> regex.append("[^:]");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(arn).matches();
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /** The ARN whose resource policy governs {@code resource}: an object's bucket, else the resource itself. */
    static String governingArn(String resource) {
        if (resource.startsWith("arn:aws:s3:::") && resource.indexOf('/') > 0) {
            return resource.substring(0, resource.indexOf('/'));
        }
        return resource;
    }

    /** https://sqs.REGION.amazonaws.com/ACCOUNT/NAME as arn:aws:sqs:REGION:ACCOUNT:NAME. */
    static String queueArn(String url) {
        String[] parts = url.replaceFirst("^https?://", "").split("/");
        String region = parts[0].split("\\.")[1];
        return "arn:aws:sqs:" + region + ":" + parts[1] + ":" + parts[2];
    }

    private void add(String governed, String source, Object document) {
        addAll(resourcePolicies.computeIfAbsent(governed, g -> new ArrayList<>()), source, document);
    }

    @SuppressWarnings("unchecked")
    private static void addAll(List<Statement> into, String source, Object document) {
        if (document == null) {
            return;
        }
        for (Object statement : list(((Map<String, Object>) document).get("Statement"))) {
            into.add(new Statement(source, (Map<String, Object>) statement));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.getOrDefault("Properties", Map.of());
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        return value instanceof List<?> items ? (List<Object>) items : List.of(value);
    }
}
