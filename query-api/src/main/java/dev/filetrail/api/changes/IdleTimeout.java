package dev.filetrail.api.changes;

import io.javalin.http.Context;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/**
 * A long-poll sends nothing for up to 480 s, longer than Jetty's idle timeout (30 s), which would close the
 * connection under it: the request's own connection gets a longer one while it waits, and its old one back after.
 */
final class IdleTimeout {
    private IdleTimeout() {
    }

    /** Sets the connection's idle timeout to {@code wait} plus a margin; returns what restores the old one. */
    static Runnable extend(Context ctx, Duration wait) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return () -> { };
        }
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long before = endPoint.getIdleTimeout();
        long wanted = wait.plusSeconds(30).toMillis();
        if (before > 0 && before >= wanted) {
            return () -> { };
        }
        endPoint.setIdleTimeout(wanted);
        return () -> endPoint.setIdleTimeout(before);
    }
}
