package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.HostUnavailableException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The sim host's lock and whether the host answers at all (hung, dead, closed); thread-safe.
 * Every driver call passes through {@link #call}, which is where a hung host blocks its caller
 * and a dead one fails it.
 */
final class SimGate {
    private final String host;
    private final Duration hangTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean hung;
    private boolean dead;
    private boolean closed;

    SimGate(String host, Duration hangTimeout) {
        this.host = host;
        this.hangTimeout = hangTimeout;
    }

    /**
     * Runs a driver operation under the lock once the host answers: blocks while it is hung (up
     * to the hang timeout, in real time), and fails if it is dead or closed.
     */
    <T> T call(String operation, Supplier<T> body) {
        lock.lock();
        try {
            awaitAnswer(operation);
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a fault-injection or wiring step under the lock, whatever the host's health. */
    void control(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    /** Call inside {@link #control}. */
    void hung(boolean value) {
        hung = value;
        changed.signalAll();
    }

    /** Call inside {@link #control}. */
    void dead(boolean value) {
        dead = value;
        changed.signalAll();
    }

    /** Call inside {@link #control}; returns whether the gate was open until now. */
    boolean close() {
        boolean wasOpen = !closed;
        closed = true;
        changed.signalAll();
        return wasOpen;
    }

    private void awaitAnswer(String operation) {
        long leftNanos = hangTimeout.toNanos();
        while (hung && !dead && !closed) {
            if (leftNanos <= 0) {
                throw new HostUnavailableException(host, "sim host '" + host + "' did not answer " + operation
                        + " within " + hangTimeout + ": it is hung (fault injected with hang());"
                        + " call unhang(), or treat the host as suspect");
            }
            try {
                leftNanos = changed.awaitNanos(leftNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HostUnavailableException(host, "interrupted while waiting for hung sim host '" + host
                        + "' to answer " + operation + "; retry, or treat the host as suspect", e);
            }
        }
        if (closed) {
            throw new HostUnavailableException(host, "the sim driver for host '" + host + "' is closed;"
                    + " create a new SimDriver");
        }
        if (dead) {
            throw new HostUnavailableException(host, "sim host '" + host + "' is down (fault injected with"
                    + " die()) and its VMs are gone; call revive() to bring it back empty, or treat it as missing");
        }
    }
}
