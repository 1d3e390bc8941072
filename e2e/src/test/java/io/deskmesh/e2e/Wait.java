package io.deskmesh.e2e;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Polls a condition on the test's own thread (Playwright objects must not be used from another) until
 * it holds, failing with what was awaited after {@link #TIMEOUT}. Stateless.
 */
final class Wait {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Wait() {
    }

    static void until(String what, Callable<Boolean> condition) {
        Awaitility.await(what).pollInSameThread().atMost(TIMEOUT).pollInterval(Duration.ofMillis(150))
                .ignoreExceptions().until(condition);
    }
}
