package dev.filetrail.embedded.s3;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whatever request body s3proxy left unread before the exchange ends. s3proxy 4.1 stops reading an
 * {@code aws-chunked} upload at its last data chunk, before the trailing checksum the SDK sends by default; Jetty then
 * closes the connection while the client is still writing that trailer. The SDK sees "Error writing request body to
 * server" and retries a PUT the server has already stored, so one upload became two versions. Real S3 reads the
 * whole request, and so does this server now.
 */
final class RequestBodyDrain implements Filter {
    private static final Logger log = LoggerFactory.getLogger(RequestBodyDrain.class);
    private final AtomicLong drainedRequests = new AtomicLong();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } finally {
            drain(request);
        }
    }

    private void drain(ServletRequest request) {
        try {
            InputStream body = request.getInputStream();
            byte[] buffer = new byte[8192];
            long left = 0;
            for (int n; (n = body.read(buffer)) >= 0; ) {
                left += n;
            }
            if (left > 0) {
                drainedRequests.incrementAndGet();
                log.debug("s3 request body drained after the handler bytes={} method={}", left,
                        request instanceof jakarta.servlet.http.HttpServletRequest http ? http.getMethod() : "?");
            }
        } catch (IOException | IllegalStateException e) {
            // The client went away or the body was taken as a reader: nothing is left to keep the connection for.
            log.debug("s3 request body not drained: {}", e.toString());
        }
    }

    /** Requests whose body the handler had left partly unread. */
    long drainedRequests() {
        return drainedRequests.get();
    }
}
