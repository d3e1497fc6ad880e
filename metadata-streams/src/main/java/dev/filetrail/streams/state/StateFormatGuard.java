package dev.filetrail.streams.state;

import dev.filetrail.streams.history.VersionStore;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Refuses to start an application id whose state was written in an earlier layout. The stores' names carry the
 * layout ({@link VersionStore#STATE_FORMAT}), so such state is never read as the new one; but starting the new build
 * on the old id would resume from the old committed offsets with empty stores, which silently forgets every version
 * seen so far. The fix is a rebuild under a new application id (module README, "State layout").
 */
public final class StateFormatGuard {

    private StateFormatGuard() {
    }

    /** The changelog topic Kafka Streams names for one store of an application. */
    public static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /** Throws when {@code applicationId} has changelogs of a retired layout and none of the current one. */
    public static void check(Admin admin, String applicationId) {
        Set<String> topics;
        try {
            topics = admin.listTopics().names().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics to check the state layout", e.getCause());
        }
        List<String> retired = VersionStore.RETIRED.stream().map(s -> changelog(applicationId, s))
                .filter(topics::contains).toList();
        boolean current = topics.contains(changelog(applicationId, VersionStore.VERSIONS));
        if (!retired.isEmpty() && !current) {
            throw new IllegalStateException("application id " + applicationId + " holds state in an earlier layout ("
                    + String.join(", ", retired) + "); this build keeps state format " + VersionStore.STATE_FORMAT
                    + " and would start with empty stores. Rebuild under a new id first: filetrail rebuild --streams"
                    + " --application-id <new id>, then set STREAMS_APPLICATION_ID=<new id> (README, State layout)");
        }
    }
}
