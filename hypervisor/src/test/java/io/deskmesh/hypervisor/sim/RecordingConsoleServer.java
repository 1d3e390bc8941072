package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.ConsoleProtocol;
import java.util.Map;
import java.util.TreeMap;

/** A console server that hands out ports from 5900 up and remembers which are open; thread-safe. */
final class RecordingConsoleServer implements SimConsoleServer {
    private final Map<String, Integer> open = new TreeMap<>();
    private int nextPort = 5900;

    @Override
    public synchronized int open(String hostName, String vmId, ConsoleProtocol protocol) {
        return open.computeIfAbsent(hostName + "/" + vmId, k -> nextPort++);
    }

    @Override
    public synchronized void close(String hostName, String vmId) {
        open.remove(hostName + "/" + vmId);
    }

    synchronized Map<String, Integer> openConsoles() {
        return Map.copyOf(open);
    }
}
