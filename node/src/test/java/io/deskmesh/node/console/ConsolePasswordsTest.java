package io.deskmesh.node.console;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsolePasswordsTest {
    private static final byte[] CHALLENGE = "sixteen bytes!!!".getBytes(StandardCharsets.US_ASCII);
    private final ConsolePasswords passwords = new ConsolePasswords();

    @Test
    void aPasswordAdmitsItsSessionOnceBeforeItExpires() {
        String p = passwords.issue("s-1", "ann", 1_000, 120_000);
        assertThat(p).hasSize(8).matches("[A-Za-z2-9]{8}");
        ConsolePasswords.Match first = passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, p), 2_000);
        assertThat(first).isInstanceOf(ConsolePasswords.Match.Admitted.class);
        ConsolePasswords.Grant g = ((ConsolePasswords.Match.Admitted) first).grant();
        assertThat(List.of(g.sessionId(), g.user())).containsExactly("s-1", "ann");
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, p), 2_000))
                .as("used up").isInstanceOf(ConsolePasswords.Match.Wrong.class);
    }

    @Test
    void theRightPasswordIsFoundAmongManyAndAWrongOneMatchesNone() {
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            issued.add(passwords.issue("s-" + i, "user" + i, 0, 60_000));
        }
        ConsolePasswords.Match m = passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, issued.get(37)), 1);
        assertThat(((ConsolePasswords.Match.Admitted) m).grant().sessionId()).isEqualTo("s-37");
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, "notissued"), 1))
                .isInstanceOf(ConsolePasswords.Match.Wrong.class);
        assertThat(passwords.outstanding()).isEqualTo(49);
    }

    @Test
    void anExpiredPasswordIsToldApartFromAWrongOneUntilItIsPruned() {
        String p = passwords.issue("s-1", "ann", 0, 1_000);
        String q = passwords.issue("s-2", "ann", 0, 1_000);
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, p), 1_000))
                .isInstanceOf(ConsolePasswords.Match.Expired.class);
        passwords.prune(1_000 + ConsolePasswords.EXPIRED_KEPT_MS);
        assertThat(passwords.outstanding()).isZero();
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, q), 1_000 + ConsolePasswords.EXPIRED_KEPT_MS))
                .isInstanceOf(ConsolePasswords.Match.Wrong.class);
    }

    @Test
    void aUserHoldsAtMostAFewPasswordsTheOldestRetiredFirst() {
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < ConsolePasswords.PER_USER + 2; i++) {
            issued.add(passwords.issue("s-1", "ann", i, 60_000));
        }
        passwords.issue("s-9", "bob", 0, 60_000);
        assertThat(passwords.outstanding()).isEqualTo(ConsolePasswords.PER_USER + 1);
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, issued.get(0)), 10))
                .isInstanceOf(ConsolePasswords.Match.Wrong.class);
        assertThat(passwords.admit(CHALLENGE, VncAuth.response(CHALLENGE, issued.get(2)), 10))
                .isInstanceOf(ConsolePasswords.Match.Admitted.class);
    }

    @Test
    void anAddressWithTooManyFailuresWaitsUntilTheOldestLeavesTheWindow() throws Exception {
        FailureLimiter limiter = new FailureLimiter(3, 60_000);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        limiter.failed(a, 0);
        limiter.failed(a, 10_000);
        assertThat(limiter.waitMs(a, 20_000)).isZero();
        limiter.failed(a, 20_000);
        assertThat(limiter.waitMs(a, 30_000)).isEqualTo(30_000);
        assertThat(limiter.waitMs(b, 30_000)).as("another address").isZero();
        assertThat(limiter.waitMs(a, 60_000)).isZero();
        limiter.prune(200_000);
        assertThat(limiter.waitMs(a, 200_000)).isZero();
    }
}
