package io.deskmesh.node.console;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts failed VNC authentications per client address over a sliding window; an address with
 * {@code max} failures in the window is refused until the oldest of them leaves it. It bounds how
 * fast one address can guess one-time passwords. Thread-safe.
 */
final class FailureLimiter {
    private final int max;
    private final long windowMs;
    private final Map<InetAddress, Deque<Long>> failures = new HashMap<>();

    FailureLimiter(int max, long windowMs) {
        if (max < 1 || windowMs < 1) {
            throw new IllegalArgumentException("a failure limit needs max >= 1 and a positive window, got " + max + " in "
                    + windowMs + " ms");
        }
        this.max = max;
        this.windowMs = windowMs;
    }

    /** Milliseconds until {@code address} may try again; 0 when it may now. */
    synchronized long waitMs(InetAddress address, long now) {
        Deque<Long> times = failures.get(address);
        if (times == null) {
            return 0;
        }
        drop(times, now);
        return times.size() < max ? 0 : times.peekFirst() + windowMs - now;
    }

    /** Records a failure of {@code address} at {@code now}. */
    synchronized void failed(InetAddress address, long now) {
        Deque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        drop(times, now);
        times.addLast(now);
    }

    /** Forgets addresses whose failures all left the window. */
    synchronized void prune(long now) {
        failures.values().removeIf(times -> {
            drop(times, now);
            return times.isEmpty();
        });
    }

    private void drop(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() + windowMs <= now) {
            times.removeFirst();
        }
    }
}
