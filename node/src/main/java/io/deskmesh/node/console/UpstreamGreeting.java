package io.deskmesh.node.console;

import io.deskmesh.hypervisor.sim.rfb.RfbVersion;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client half of an RFB handshake with a VM's console, for a native viewer whose own handshake
 * ended at this node ({@link VncGate}): it sits between an {@link Upstream} and the console's
 * {@link Splice}, answers the VM's version and picks security type None (the VM's console listens
 * on its host's loopback without a password, as the browser's path assumes too), and from the
 * security result on passes every byte to the splice. The viewer's ClientInit then goes to the VM
 * and the VM's ServerInit to the viewer, as on any other console. The handshake runs on the
 * caller's thread ({@link #handshake}); bytes arriving meanwhile are queued. Thread-safe.
 */
final class UpstreamGreeting implements Upstream.Sink {
    private static final ByteBuffer END = ByteBuffer.allocate(0);

    private final Upstream.Sink next;
    private final BlockingQueue<ByteBuffer> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private boolean passing;
    private String endedWith;
    private Queued reader;

    UpstreamGreeting(Upstream.Sink next) {
        this.next = next;
    }

    /**
     * Speaks for the viewer until the VM's console accepts security type None; throws with a
     * sentence for the viewer when the console refuses, is not VNC or takes longer than {@code timeoutMs}.
     */
    void handshake(Upstream u, long timeoutMs) throws IOException {
        reader = new Queued(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        DataInputStream in = new DataInputStream(reader);
        byte[] version = new byte[12];
        in.readFully(version);
        int minor = RfbVersion.agreedMinor(new String(version, StandardCharsets.US_ASCII));
        if (minor < 0) {
            throw new IOException("Your desktop's console does not speak VNC; open it in the browser instead.");
        }
        u.send(ByteBuffer.wrap(String.format("RFB 003.%03d\n", minor).getBytes(StandardCharsets.US_ASCII)));
        if (minor == 3) {
            int type = in.readInt();
            if (type != 1) {
                throw refused(type == 0 ? reason(in) : "it asks for security type " + type);
            }
            return;
        }
        int n = in.readUnsignedByte();
        if (n == 0) {
            throw refused(reason(in));
        }
        boolean none = false;
        for (int i = 0; i < n; i++) {
            none |= in.readUnsignedByte() == 1;
        }
        if (!none) {
            throw refused("it asks for a password of its own");
        }
        u.send(ByteBuffer.wrap(new byte[]{1}));
        if (minor == 8 && in.readInt() != 0) {
            throw refused(reason(in));
        }
    }

    /** From now on every byte goes to the splice, those queued during the handshake first. */
    void passThrough() {
        synchronized (lock) {
            if (reader != null && reader.current.hasRemaining()) {
                next.toClient(reader.current);
            }
            for (ByteBuffer b = queue.poll(); b != null; b = queue.poll()) {
                if (b != END && b.hasRemaining()) {
                    next.toClient(b);
                }
            }
            passing = true;
            if (endedWith != null) {
                next.ended(1000, endedWith, null);
            }
        }
    }

    @Override
    public CompletableFuture<Void> toClient(ByteBuffer data) {
        synchronized (lock) {
            if (passing) {
                return next.toClient(data);
            }
            queue.add(data);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public void ended(int code, String reason, Throwable error) {
        synchronized (lock) {
            if (passing) {
                next.ended(code, reason, error);
                return;
            }
            endedWith = reason == null ? "the console closed" : reason;
            queue.add(END);
        }
    }

    private static IOException refused(String why) {
        return new IOException("Your desktop's console refused the connection: " + why + ".");
    }

    private static String reason(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 4096) {
            return "(no reason given)";
        }
        byte[] text = new byte[length];
        in.readFully(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** The queued bytes as a stream that gives up at the deadline; what it has not read stays queued. */
    private final class Queued extends InputStream {
        private final long deadline;
        private ByteBuffer current = ByteBuffer.allocate(0);

        Queued(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!current.hasRemaining()) {
                if (current == END) {
                    throw new IOException("Your desktop's console closed before it was ready. Try again.");
                }
                try {
                    ByteBuffer next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        throw new IOException("Your desktop's console did not answer in time. Try again.");
                    }
                    current = next;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while opening the desktop's console");
                }
            }
            int n = Math.min(len, current.remaining());
            current.get(b, off, n);
            return n;
        }
    }
}
