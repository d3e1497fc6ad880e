package dev.filetrail.api.http;

/**
 * An error answered as RFC 9457 problem+json; {@code type} names the kind of problem. Not final: a feature's own
 * failure (Kafka refusing a share command) is a kind of problem, answered without the server knowing the feature.
 */
public class ApiProblem extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "bad-request", "Bad request", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail);
    }

    public static ApiProblem forbidden(String detail) {
        return new ApiProblem(403, "forbidden", "Forbidden", detail);
    }

    public static ApiProblem conflict(String detail) {
        return new ApiProblem(409, "conflict", "Conflict", detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** The body: type as a URI under this API's problem namespace. */
    public Problem toProblem(String instance) {
        return new Problem("https://filetrail.dev/problems/" + type, title, status, getMessage(), instance);
    }

    /** RFC 9457 problem details. */
    public record Problem(String type, String title, int status, String detail, String instance) {
    }
}
