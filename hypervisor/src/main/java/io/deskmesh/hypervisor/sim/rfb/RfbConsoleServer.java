package io.deskmesh.hypervisor.sim.rfb;

import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.sim.SimConsoleServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real VNC consoles for simulated VMs, so a browser (noVNC) or any VNC viewer shows something
 * without QEMU: one loopback listener per powered-on VM, on an ephemeral port, speaking RFB 3.8
 * (and 3.7, 3.3) with security None, a 640x400 true-colour framebuffer and Raw updates. The screen
 * shows the desktop's name, its user (or the VM id) and a UTC clock, drawn with a built-in
 * bitmap font. Key, pointer and clipboard events are accepted, ignored, and counted as activity.
 *
 * <pre>
 *  SimDriver.console(vm) ──► open(host, vm) ──► VmConsole: 127.0.0.1:&lt;ephemeral&gt;, accept on a virtual thread
 *                                                   └─► RfbConnection per client: reader + writer virtual threads
 *  SimDriver power-off / delete / die ──► close(host, vm) ──► listener and clients closed
 * </pre>
 *
 * <p>Idle consoles cost a parked virtual thread and a socket each; clients cost two virtual
 * threads and a 1 MB copy of what they were last sent. The sim has no SPICE: a VM whose spec asks
 * for SPICE gets an RFB console too. One server may serve many sim hosts (consoles are keyed by
 * host and VM). Thread-safe.
 */
public final class RfbConsoleServer implements SimConsoleServer, AutoCloseable {
    /** Screen size of every sim console. */
    public static final int WIDTH = DesktopPainter.WIDTH;
    public static final int HEIGHT = DesktopPainter.HEIGHT;

    /**
     * What a console shows about its VM.
     *
     * @param desktop the desktop's name (its template), never null
     * @param user    who holds it now, or null
     */
    public record Label(String desktop, String user) {
        public Label {
            Objects.requireNonNull(desktop, "desktop");
        }
    }

    /** Names a VM's desktop and user; called about once a second per watched console, so keep it cheap. */
    @FunctionalInterface
    public interface Labels {
        Label label(String hostName, String vmId);
    }

    private record Key(String host, String vmId) {
    }

    private final Labels labels;
    private final Clock clock;
    private final Map<Key, VmConsole> consoles = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Consoles that show the VM id as the desktop's name and no user, on the system clock. */
    public RfbConsoleServer() {
        this((host, vm) -> new Label(vm, null), Clock.systemUTC());
    }

    public RfbConsoleServer(Labels labels, Clock clock) {
        this.labels = Objects.requireNonNull(labels, "labels");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public int open(String hostName, String vmId, ConsoleProtocol protocol) {
        if (closed) {
            throw new IllegalStateException("the sim console server is closed; VM '" + vmId + "' on '" + hostName
                    + "' gets no console");
        }
        return consoles.computeIfAbsent(new Key(hostName, vmId), k -> {
            try {
                return VmConsole.listen(hostName, vmId, labels, clock);
            } catch (IOException e) {
                throw new UncheckedIOException("no loopback port for the console of VM '" + vmId + "' on sim host '"
                        + hostName + "': " + e.getMessage(), e);
            }
        }).port();
    }

    @Override
    public void close(String hostName, String vmId) {
        VmConsole c = consoles.remove(new Key(hostName, vmId));
        if (c != null) {
            c.close();
        }
    }

    /** Key, pointer and clipboard events the VM's console received since it opened; 0 when it has none. */
    public long inputEvents(String hostName, String vmId) {
        VmConsole c = consoles.get(new Key(hostName, vmId));
        return c == null ? 0 : c.inputEvents();
    }

    /** Clients connected to the VM's console now. */
    public int clients(String hostName, String vmId) {
        VmConsole c = consoles.get(new Key(hostName, vmId));
        return c == null ? 0 : c.clients();
    }

    /** Consoles open now, over all hosts. */
    public int openConsoles() {
        return consoles.size();
    }

    /** Closes every console; later {@link #open} calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        consoles.values().forEach(VmConsole::close);
        consoles.clear();
    }
}
