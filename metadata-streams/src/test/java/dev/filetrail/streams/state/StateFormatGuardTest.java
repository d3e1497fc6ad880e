package dev.filetrail.streams.state;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.kafka.KafkaCluster;
import dev.filetrail.streams.MetadataStreams;
import dev.filetrail.streams.RealKafka;
import dev.filetrail.streams.history.VersionStore;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** State of an earlier layout is never taken up by this build: the service refuses the old application id. */
@ExtendWith(RealParts.class)
class StateFormatGuardTest {

    @Test
    void anApplicationIdWithFormatOneChangelogsIsRefusedWithTheRebuildStep(KafkaCluster kafka, @TempDir Path dir)
            throws Exception {
        String old = RealKafka.applicationId("format-one");
        try (Admin admin = kafka.admin()) {
            // What a format-1 build left behind: its changelogs under the stores' old names.
            admin.createTopics(List.of(new NewTopic(StateFormatGuard.changelog(old, "versions"), 1, (short) 1),
                    new NewTopic(StateFormatGuard.changelog(old, "version-index"), 1, (short) 1))).all().get();
        }
        try (MetadataStreams service = new MetadataStreams(RealKafka.config(kafka, old, dir.resolve("a")))) {
            assertThatThrownBy(service::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("earlier layout").hasMessageContaining("filetrail rebuild --streams")
                    .hasMessageContaining(old + "-versions-changelog");
        }
    }

    @Test
    void aFreshIdAndOneAlreadyOnTheCurrentLayoutPass(KafkaCluster kafka) throws Exception {
        String fresh = RealKafka.applicationId("format-fresh");
        String upgraded = RealKafka.applicationId("format-both");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(StateFormatGuard.changelog(upgraded, "versions"), 1, (short) 1),
                    new NewTopic(StateFormatGuard.changelog(upgraded, VersionStore.VERSIONS), 1, (short) 1)))
                    .all().get();
            assertThatCode(() -> StateFormatGuard.check(admin, fresh)).doesNotThrowAnyException();
            assertThatCode(() -> StateFormatGuard.check(admin, upgraded)).doesNotThrowAnyException();
        }
    }
}
