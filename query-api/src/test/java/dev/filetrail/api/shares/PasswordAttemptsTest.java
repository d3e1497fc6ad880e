package dev.filetrail.api.shares;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordAttemptsTest {

    @Test
    void wrongAttemptsOnOneLinkFromManyClientsAreThrottledByTheLink() {
        PasswordAttempts attempts = new PasswordAttempts(3);
        for (int client = 0; client < 3; client++) {
            assertThat(attempts.admit("link-a", "client-" + client, 0).admitted()).isTrue();
        }
        PasswordAttempts.Admission fourth = attempts.admit("link-a", "client-9", 0);
        assertThat(fourth.admitted()).isFalse();
        assertThat(fourth.byLink()).isTrue();
        assertThat(fourth.retryAfterSeconds()).isEqualTo(20);
        assertThat(attempts.admit("link-b", "client-9", 0).admitted()).as("another link is not affected").isTrue();
        assertThat(attempts.admit("link-a", "client-9", 20_000_000_000L).admitted()).as("refilled").isTrue();
    }

    @Test
    void wrongAttemptsFromOneClientAcrossLinksAreThrottledByTheClient() {
        PasswordAttempts attempts = new PasswordAttempts(3);
        for (int link = 0; link < 3; link++) {
            assertThat(attempts.admit("link-" + link, "client", 0).admitted()).isTrue();
        }
        PasswordAttempts.Admission fourth = attempts.admit("link-9", "client", 0);
        assertThat(fourth.admitted()).isFalse();
        assertThat(fourth.byLink()).isFalse();
        assertThat(attempts.admit("link-9", "other-client", 0).admitted())
                .as("the refused attempt took nothing from link-9").isTrue();
    }

    @Test
    void rightPasswordsDoNotCount() {
        PasswordAttempts attempts = new PasswordAttempts(2);
        for (int i = 0; i < 10; i++) {
            assertThat(attempts.admit("link", "client", 0).admitted()).isTrue();
            attempts.succeeded("link", "client");
        }
        assertThat(attempts.admit("link", "client", 0).admitted()).isTrue();
        assertThat(attempts.admit("link", "client", 0).admitted()).isTrue();
        assertThat(attempts.admit("link", "client", 0).admitted()).isFalse();
    }
}
