package dev.filetrail.api;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a service opened, closed newest first, so servers stop before the pools and clients they use. */
final class ResourceStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResourceStack.class);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    <T extends AutoCloseable> T push(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Closes everything; a failure is logged and the rest still closed. */
    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("close failed resource={} reason={}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
