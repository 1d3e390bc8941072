package io.deskmesh.hypervisor.libvirt;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Striped per-VM locks: operations on one VM run one at a time, operations on different VMs
 * mostly run side by side; thread-safe. Several VMs are locked in stripe order, so two callers
 * that lock the same pair cannot deadlock.
 */
final class VmLocks {
    private static final int STRIPES = 64;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    VmLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Runs {@code body} holding the locks of every VM in {@code vmIds}. */
    <T> T call(Supplier<T> body, String... vmIds) {
        int[] indexes = Arrays.stream(vmIds).mapToInt(VmLocks::stripe).distinct().sorted().toArray();
        int held = 0;
        try {
            for (int i : indexes) {
                stripes[i].lock();
                held++;
            }
            return body.get();
        } finally {
            for (int i = held - 1; i >= 0; i--) {
                stripes[indexes[i]].unlock();
            }
        }
    }

    /** Runs {@code body} holding the lock of {@code vmId}. */
    void run(String vmId, Runnable body) {
        call(() -> {
            body.run();
            return null;
        }, vmId);
    }

    private static int stripe(String vmId) {
        return Math.floorMod(String.valueOf(vmId).hashCode(), STRIPES);
    }
}
