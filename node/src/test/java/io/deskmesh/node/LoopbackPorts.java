package io.deskmesh.node;

import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on loopback for test nodes; stateless and thread-safe (a port may be taken again meanwhile). */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A base port such that {@code base + i} and {@code base + 1000 + i} are free for every {@code i < count}. */
    public static int freeBlock(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + (int) (Math.random() * 30_000);
            boolean ok = true;
            for (int i = 0; i < count && ok; i++) {
                ok = free(base + i) && free(base + 1000 + i);
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + count + " HTTP and Raft ports on loopback");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (Exception e) {
            return false;
        }
    }
}
