package dev.filetrail.events.s3;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3NotificationParserTest {

    @ParameterizedTest
    @ValueSource(strings = {"2.1", "2.2", "2.3", "2.10", "2.01", "2.1.5", "2.99999999999"})
    void acceptsMajorTwoWithAMinorOfAtLeastOne(String version) {
        assertThatCode(() -> S3NotificationParser.checkVersion(version)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0", "2.00", "2", "2.", "2..1", "1.0", "3.1", "22.1", "2.x", "2.-1", "2.1a", "", " 2.1", "２.1"})
    void rejectsEveryOtherVersion(String version) {
        assertThatThrownBy(() -> S3NotificationParser.checkVersion(version))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("eventVersion");
    }
}
