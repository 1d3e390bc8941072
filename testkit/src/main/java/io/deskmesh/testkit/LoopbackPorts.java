package io.deskmesh.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for grids started by tests: a block for {@code DemoGrid}'s layout, where node i
 * serves HTTP on {@code base + i - 1}, native consoles on {@code base + 100 + i - 1} and Raft on
 * {@code base + 1000 + i - 1}. A port found free may
 * still be taken before the grid binds it; the random base makes that unlikely. Stateless.
 */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A base port such that {@code base + i}, {@code base + 100 + i} and {@code base + 1000 + i} are free now, for i < nodes. */
    public static int demoGridBlock(int nodes) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
            boolean ok = true;
            for (int i = 0; i < nodes && ok; i++) {
                ok = free(base + i) && free(base + 100 + i) && free(base + 1000 + i);
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("found no free block of " + nodes + " ports (and their +100, +1000) on loopback in 100 tries");
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }
}
