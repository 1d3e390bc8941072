package io.deskmesh.node.api.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LoginThrottleTest {
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(10), 5, Duration.ofSeconds(2), 1_000);

    @Test
    void aUserHasABurstThenOneAttemptPerRefillPeriod() {
        for (int i = 0; i < 3; i++) {
            throttle.acquire("ann", "10.0.0.1", 0);
        }
        LoginThrottle.Throttled refused = catchThrowableOfType(LoginThrottle.Throttled.class,
                () -> throttle.acquire("ann", "10.0.0.2", 1_000));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.retryAfterSeconds()).isEqualTo(9);
        assertThat(refused.getMessage()).contains("user 'ann'", "try again in 9 s");
        assertThat(refused.report()).as("the first refusal is reported").isTrue();
        assertThat(catchThrowableOfType(LoginThrottle.Throttled.class, () -> throttle.acquire("ann", "10.0.0.2", 2_000))
                .report()).as("later ones are not, for a while").isFalse();
        throttle.acquire("ann", "10.0.0.3", 10_000);
        assertThat(catchThrowableOfType(LoginThrottle.Throttled.class, () -> throttle.acquire("ann", "10.0.0.3", 10_001)))
                .isNotNull();
        throttle.acquire("bob", "10.0.0.3", 10_001);
    }

    @Test
    void anAddressHasItsOwnBudgetAcrossUserNames() {
        for (int i = 0; i < 5; i++) {
            throttle.failed(throttle.acquire("user" + i, "10.9.9.9", 0), 0);
        }
        LoginThrottle.Throttled refused = catchThrowableOfType(LoginThrottle.Throttled.class,
                () -> throttle.acquire("user9", "10.9.9.9", 0));
        assertThat(refused.getMessage()).contains("your address");
        assertThat(refused.retryAfterSeconds()).isEqualTo(2);
        throttle.acquire("user9", "10.9.9.8", 0);
        throttle.acquire("user9", "10.9.9.9", 2_000);
    }

    @Test
    void manyCorrectLoginsInFlightFromOneAddressAreNeverRefusedForEachOther() {
        List<LoginThrottle.Ticket> inFlight = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inFlight.add(throttle.acquire("user" + i, "10.5.5.5", 0));
        }
        inFlight.forEach(t -> throttle.refund(t, 1));
        // failures still count for the address, however many succeeded before
        for (int i = 0; i < 5; i++) {
            throttle.failed(throttle.acquire("guess" + i, "10.5.5.5", 2), 2);
        }
        assertThat(catchThrowableOfType(LoginThrottle.Throttled.class, () -> throttle.acquire("guess9", "10.5.5.5", 2))
                .getMessage()).contains("your address");
    }

    @Test
    void refundedAttemptsDoNotCount() {
        for (int i = 0; i < 10; i++) {
            throttle.refund(throttle.acquire("ann", "10.0.0.1", i), i);
        }
        for (int i = 0; i < 3; i++) {
            throttle.acquire("ann", "10.0.0.1", 100);
        }
        assertThat(catchThrowableOfType(LoginThrottle.Throttled.class, () -> throttle.acquire("ann", "10.0.0.1", 100)))
                .isNotNull();
    }

    @Test
    void aRefusalByAddressGivesTheUsersAttemptBack() {
        for (int i = 0; i < 5; i++) {
            throttle.failed(throttle.acquire("x" + i, "10.1.1.1", 0), 0);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(catchThrowableOfType(LoginThrottle.Throttled.class, () -> throttle.acquire("ann", "10.1.1.1", 0)))
                    .isNotNull();
        }
        for (int i = 0; i < 3; i++) {
            throttle.acquire("ann", "10.2.2.2", 0);
        }
    }

    @Test
    void fullBucketsAreSweptWhenTheMapOutgrowsItsBound() {
        LoginThrottle small = new LoginThrottle(3, Duration.ofSeconds(10), 100, Duration.ofSeconds(1), 10);
        for (int i = 0; i < 10; i++) {
            small.acquire("u" + i, "10.0.0.1", 0);
        }
        assertThat(small.size()).isEqualTo(11);
        small.acquire("late", "10.0.0.1", 60_000);
        assertThat(small.size()).as("refilled buckets are forgotten").isLessThanOrEqualTo(3);
    }
}
