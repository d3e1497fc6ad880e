package dev.filetrail.api.http;

import dev.filetrail.events.Json;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a malformed request line or path, a bad percent-escape, headers too large), which happen
 * before Javalin routes anything, answered as RFC 9457 problem+json like every other error instead of Jetty's
 * HTML page.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiServer.PROBLEM_JSON);
        response.write(true, body(code, reason(message, cause), path(request)), callback);
    }

    /** Jetty's message, and what its parser found underneath when that says more ("Illegal character in path"). */
    private static String reason(String message, Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof NumberFormatException) {
            return "a percent-escape in the request target is not two hex digits";
        }
        if (root == null || root.getMessage() == null || root.getMessage().equals(message)
                || root instanceof HttpException) {
            return message;
        }
        String detail = root.getMessage();
        if (detail.contains("Illegal character in path")) {
            detail += " (Jetty refuses %00 in any path: send such a key as ?key= with the key segment "
                    + ObjectPath.KEY_IN_QUERY + ")";
        }
        return message + ": " + detail;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, ApiServer.PROBLEM_JSON);
        return body(status, reason, null);
    }

    static ByteBuffer body(int status, String reason, String instance) {
        String title = HttpStatus.getMessage(status);
        String detail = "the server refused the request before routing it"
                + (reason == null || reason.isBlank() || reason.equals(title) ? "" : ": " + reason);
        String type = switch (status) {
            case 400 -> "bad-request";
            case 404 -> "no-route";
            case 414 -> "uri-too-long";
            case 431 -> "headers-too-large";
            default -> "http-" + status;
        };
        return ByteBuffer.wrap(Json.write(new ApiProblem(status, type, title, detail).toProblem(instance)));
    }

    private static String path(Request request) {
        try {
            return request.getHttpURI().getPath();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
