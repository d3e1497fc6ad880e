package dev.filetrail.lambda.results;

import dev.filetrail.events.processing.ProcessingResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps published results in memory: the embedded parts have no SNS (only deploy/local emulates it). */
public final class CollectingPublisher implements ResultPublisher {
    private final List<ProcessingResult> results = new CopyOnWriteArrayList<>();

    @Override
    public void publish(ProcessingResult result) {
        results.add(result);
    }

    public List<ProcessingResult> results() {
        return List.copyOf(results);
    }

    public ProcessingResult last() {
        if (results.isEmpty()) {
            throw new AssertionError("nothing was published");
        }
        return results.get(results.size() - 1);
    }

    public void clear() {
        results.clear();
    }
}
