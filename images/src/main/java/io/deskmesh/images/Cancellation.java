package io.deskmesh.images;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets another thread stop a running fetch. Thread-safe; single use: once cancelled it stays
 * cancelled. The fetch in progress ends promptly with {@link TransferException.Reason#CANCELLED}
 * and keeps its partial file for a later resume.
 */
public final class Cancellation {
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private Runnable onCancel;

    /** Cancels; later calls do nothing. */
    public void cancel() {
        Runnable hook;
        synchronized (this) {
            if (isCancelled()) {
                return;
            }
            cancelled.countDown();
            hook = onCancel;
            onCancel = null;
        }
        if (hook != null) {
            hook.run();
        }
    }

    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    /** Runs {@code hook} on cancellation (at once if already cancelled), replacing any earlier hook. */
    void onCancel(Runnable hook) {
        synchronized (this) {
            if (!isCancelled()) {
                onCancel = hook;
                return;
            }
        }
        hook.run();
    }

    synchronized void clearOnCancel() {
        onCancel = null;
    }

    /** Sleeps for {@code d} unless cancelled or interrupted first; true if it slept the whole time. */
    boolean sleep(Duration d) {
        try {
            return !cancelled.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
