package dev.filetrail.events.service;

/**
 * A Filetrail service as the launcher runs it: {@link #start()} checks its topics, starts its work and its
 * {@link AdminServer}, and returns itself; {@link #close()} stops everything and may be called any number of times.
 */
public interface Service extends AutoCloseable {

    /** Starts the service and returns it. */
    Service start();

    /** The admin port ({@code /health}, {@code /ready}, {@code /metrics}), resolved when configured as 0; -1 when not serving. */
    int adminPort();

    /** Stops the service; a second call does nothing. */
    @Override
    void close();
}
