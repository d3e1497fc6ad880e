package dev.filetrail.api.shares;

import dev.filetrail.api.projection.ProjectionListener;
import dev.filetrail.events.share.ShareLink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lets a request wait, bounded, until the projection has written the link state that answers its command.
 * The projector in this process wakes it; a store read on every tick covers a projector running elsewhere.
 */
public final class ShareLinkWaits implements ProjectionListener {
    private final Map<String, CompletableFuture<ShareLink>> waiting = new ConcurrentHashMap<>();
    private final ShareLinkStore store;

    public ShareLinkWaits(ShareLinkStore store) {
        this.store = store;
    }

    @Override
    public void committed(List<ShareLink> links) {
        for (ShareLink link : links) {
            if (link.lastCommandId() != null) {
                CompletableFuture<ShareLink> future = waiting.get(link.lastCommandId());
                if (future != null) {
                    future.complete(link);
                }
            }
        }
    }

    /** Registers interest in a command before it is sent, so a fast projection cannot be missed. */
    public void expect(String commandId) {
        waiting.putIfAbsent(commandId, new CompletableFuture<>());
    }

    /** The link as projected after {@code commandId}, or empty when {@code timeout} passes first. */
    public Optional<ShareLink> await(String commandId, String linkId, Duration timeout) {
        CompletableFuture<ShareLink> future = waiting.computeIfAbsent(commandId, id -> new CompletableFuture<>());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                Optional<ShareLink> stored = store.byId(linkId).filter(l -> commandId.equals(l.lastCommandId()));
                if (stored.isPresent()) {
                    return stored;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                try {
                    return Optional.of(future.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(250)), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    // re-read the store: another process's projector may have written it
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } finally {
            waiting.remove(commandId);
        }
    }
}
