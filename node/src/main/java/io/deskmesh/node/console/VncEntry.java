package io.deskmesh.node.console;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * The native console entry of one node: a TCP port that speaks RFB to VNC viewers (virt-viewer,
 * remote-viewer, TigerVNC), for users who would rather not use the browser.
 *
 * <pre>
 *  viewer ─TCP─► VncEntry: "RFB 003.008", security type 2 (VNC Authentication), 16-byte challenge
 *     answer matches an outstanding one-time password ({@link ConsolePasswords})?
 *        no ─► SecurityResult failed, with the reason (wrong, expired; too many failures: refused up front)
 *        yes ─► {@link Handoff}: the console proxy checks the session, opens the VM's console (here or
 *               through its host), answers the VM's handshake, then SecurityResult OK and splices
 * </pre>
 *
 * A handshake must finish within {@link #HANDSHAKE_TIMEOUT}; at most {@link #MAX_HANDSHAKES} run
 * at once (more are dropped unanswered), and an address with {@link #MAX_FAILURES} wrong answers
 * in {@link #FAILURE_WINDOW} is refused until the window moves on. Thread-safe.
 */
final class VncEntry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VncEntry.class);
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_HANDSHAKES = 128;
    static final int MAX_FAILURES = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);

    /** Who takes over an admitted viewer: the console proxy. */
    interface Handoff {
        /**
         * The viewer answered the challenge with {@code grant}'s password: open its console, then
         * {@link VncGate#admit} or {@link VncGate#fail}; the socket is the callee's from now on.
         */
        void open(Socket socket, VncGate gate, ConsolePasswords.Grant grant);
    }

    private final String self;
    private final InetSocketAddress bind;
    private final ConsolePasswords passwords;
    private final FailureLimiter failures = new FailureLimiter(MAX_FAILURES, FAILURE_WINDOW.toMillis());
    private final LongSupplier clock;
    private final ConsoleMetrics metrics;
    private final Handoff handoff;
    private final SecureRandom random = new SecureRandom();
    private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
    private final Set<Socket> greeting = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    VncEntry(String self, InetSocketAddress bind, ConsolePasswords passwords, LongSupplier clock, ConsoleMetrics metrics,
             Handoff handoff) {
        this.self = self;
        this.bind = bind;
        this.passwords = passwords;
        this.clock = clock;
        this.metrics = metrics;
        this.handoff = handoff;
    }

    /** Binds the port and starts accepting; throws, saying which option to change, when the port is taken. */
    void start() throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(bind);
        } catch (IOException e) {
            s.close();
            throw new IOException("the native console port " + bind + " cannot be opened (" + e.getMessage()
                    + "); pass another --console-port, or --console-port 0 to serve consoles in the browser only", e);
        }
        server = s;
        Thread.ofPlatform().daemon().name("console-vnc-entry-" + s.getLocalPort()).start(this::acceptLoop);
        LOG.info("native consoles (VNC) on {}", s.getLocalSocketAddress());
    }

    /** Whether it listens (started and not closed). */
    boolean started() {
        ServerSocket s = server;
        return s != null && !s.isClosed();
    }

    /** The port it listens on; only once started. */
    int port() {
        return server.getLocalPort();
    }

    /** Forgets failures and passwords that no longer matter. */
    void prune(long now) {
        failures.prune(now);
    }

    private void acceptLoop() {
        ServerSocket s = server;
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("native console entry: accept failed: {}", e.toString());
                    pause(); // out of file descriptors, say: do not spin
                }
                continue;
            }
            if (!handshakes.tryAcquire()) {
                metrics.nativeAuth("busy");
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().name("console-vnc-" + client.getPort()).start(() -> {
                try {
                    greet(client);
                } finally {
                    handshakes.release();
                }
            });
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void greet(Socket client) {
        greeting.add(client);
        boolean handedOff = false;
        try {
            client.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            VncGate gate = new VncGate(new DataInputStream(client.getInputStream()), out);
            gate.greet();
            InetAddress from = client.getInetAddress();
            long wait = failures.waitMs(from, clock.getAsLong());
            if (wait > 0) {
                metrics.nativeAuth("limited");
                gate.refuse("Too many wrong passwords from " + from.getHostAddress() + "; try again in "
                        + Math.max(1, (wait + 999) / 1000) + " s with a new connection file.");
                return;
            }
            byte[] challenge = new byte[VncAuth.CHALLENGE_BYTES];
            random.nextBytes(challenge);
            byte[] response = gate.challenge(challenge);
            long now = clock.getAsLong();
            switch (passwords.admit(challenge, response, now)) {
                case ConsolePasswords.Match.Admitted a -> {
                    metrics.nativeAuth("admitted");
                    greeting.remove(client);
                    handedOff = true;
                    handoff.open(client, gate, a.grant());
                }
                case ConsolePasswords.Match.Expired x -> {
                    metrics.nativeAuth("expired");
                    gate.fail("This connection file has expired. Download a new one from the portal.");
                }
                case ConsolePasswords.Match.Wrong w -> {
                    metrics.nativeAuth("wrong");
                    failures.failed(from, now);
                    gate.fail("Wrong password: it is not a connection file of server '" + self + "', or it was"
                            + " used already. Download a new one from the portal.");
                }
            }
        } catch (VncGate.ProtocolError e) {
            LOG.debug("native console from {}: {}", client.getRemoteSocketAddress(), e.getMessage());
        } catch (SocketException e) {
            // closed while greeting: this node is shutting down, or the viewer left
        } catch (IOException e) {
            LOG.debug("native console from {}: {}", client.getRemoteSocketAddress(), e.toString());
        } finally {
            if (!handedOff) {
                greeting.remove(client);
                closeQuietly(client);
            }
        }
    }

    /** Stops accepting and drops viewers still in their handshake. Idempotent. */
    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket c : greeting) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing more to do
        }
    }
}
