package dev.filetrail.api.projection;

import dev.filetrail.events.share.ShareLink;
import java.util.List;

/** Told after each committed batch, so callers waiting for a row (a new share link) need not poll. */
@FunctionalInterface
public interface ProjectionListener {
    ProjectionListener NONE = links -> { };

    void committed(List<ShareLink> links);
}
