package dev.filetrail.launcher.ops;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** One side of a reconcile, key by key in S3's order: reads ahead one key, which {@link #advance()} assembles. */
abstract class KeyListing implements Iterator<KeyEntries> {
    private KeyEntries next;

    /** The next key's entries, or null when the listing is exhausted. */
    protected abstract KeyEntries advance();

    @Override
    public final boolean hasNext() {
        if (next == null) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public final KeyEntries next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        KeyEntries result = next;
        next = null;
        return result;
    }
}
