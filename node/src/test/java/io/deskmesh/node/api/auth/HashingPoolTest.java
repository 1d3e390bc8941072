package io.deskmesh.node.api.auth;

import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.auth.PasswordHasher;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class HashingPoolTest {
    @Test
    void aFullQueueIsRefusedAtOnceWithBusy() throws Exception {
        try (HashingPool pool = new HashingPool(new PasswordHasher(64, 1), 1, 1, "test")) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Boolean> running = pool.run(() -> await(release));
            CompletableFuture<Boolean> queued = pool.run(() -> true);
            ApiException busy = catchThrowableOfType(ApiException.class, () -> pool.run(() -> true));
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.code()).isEqualTo("BUSY");
            assertThat(busy.retryAfterSeconds()).isEqualTo(1);
            release.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(queued.get(5, TimeUnit.SECONDS)).isTrue();
            String hash = pool.hash("correct horse").get(5, TimeUnit.SECONDS);
            assertThat(pool.hasher().verify("correct horse", hash)).isTrue();
        }
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
