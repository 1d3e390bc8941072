package io.deskmesh.hypervisor.sim.rfb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console of one powered-on simulated VM: a loopback listener on an ephemeral port, its RFB
 * clients, the input they sent, and the screen of the current second, rendered once and shared
 * by every client. Accepting costs one virtual thread parked in {@code accept}, so an idle console
 * holds no platform thread. Thread-safe.
 */
final class VmConsole implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(VmConsole.class.getName());

    private final String host;
    private final String vmId;
    private final RfbConsoleServer.Labels labels;
    private final Clock clock;
    private final ServerSocket listener;
    private final Set<RfbConnection> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong inputEvents = new AtomicLong();
    private volatile boolean closed;
    private Frame frame;

    private VmConsole(String host, String vmId, RfbConsoleServer.Labels labels, Clock clock, ServerSocket listener) {
        this.host = host;
        this.vmId = vmId;
        this.labels = labels;
        this.clock = clock;
        this.listener = listener;
    }

    /** Binds a loopback port and starts accepting. */
    static VmConsole listen(String host, String vmId, RfbConsoleServer.Labels labels, Clock clock) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        VmConsole console = new VmConsole(host, vmId, labels, clock, socket);
        Thread.ofVirtual().name("rfb-accept-" + vmId).start(console::acceptLoop);
        return console;
    }

    int port() {
        return listener.getLocalPort();
    }

    String vmId() {
        return vmId;
    }

    long inputEvents() {
        return inputEvents.get();
    }

    int clients() {
        return clients.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "console of VM {0} stopped accepting: {1}", vmId, e.toString());
                }
                return;
            }
            RfbConnection c = new RfbConnection(this, s);
            clients.add(c);
            if (closed) {
                c.close();
            }
            Thread.ofVirtual().name("rfb-read-" + vmId).start(c::run);
        }
    }

    void forget(RfbConnection c) {
        clients.remove(c);
    }

    /** A key, pointer or clipboard event from a client: the desktop is being used. */
    void input() {
        inputEvents.incrementAndGet();
    }

    /** The name ServerInit gives: the desktop and, when known, its user. */
    String desktopName() {
        RfbConsoleServer.Label l = label();
        return l.user() == null ? l.desktop() : l.desktop() + " (" + l.user() + ")";
    }

    /** The screen of the current second, rendered by the first client to ask for it. */
    synchronized Frame frame() {
        long second = Math.floorDiv(clock.millis(), 1000L);
        RfbConsoleServer.Label l = label();
        if (frame == null || frame.epochSecond() != second || !frame.label().equals(l)) {
            frame = new Frame(second, l, DesktopPainter.paint(new DesktopPainter.Scene(l.desktop(), l.user(), vmId, host,
                    second)));
        }
        return frame;
    }

    private RfbConsoleServer.Label label() {
        try {
            RfbConsoleServer.Label l = labels.label(host, vmId);
            if (l != null && l.desktop() != null) {
                return l;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "labels of VM {0} failed: {1}", vmId, e.toString());
        }
        return new RfbConsoleServer.Label(vmId, null);
    }

    /** Stops listening and drops every client. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        clients.forEach(RfbConnection::close);
    }
}
