package io.deskmesh.hypervisor.sim.rfb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One VNC client of a simulated desktop, speaking RFB 3.8 (RFC 6143) and the older 3.7 and 3.3
 * handshakes, with security type None and Raw encoding only.
 *
 * <p>Two virtual threads per client: the reader runs the handshake and then reads client messages
 * (pixel format, encodings, update requests, and key, pointer and clipboard events, which only
 * count as activity); the writer answers update requests. A non-incremental request is answered at
 * once with the requested area; an incremental one with the part of it that differs from what
 * this client was last sent, waiting until the screen changes (the clock ticks) when nothing does.
 * A pixel format or message the server cannot handle closes the connection, with the reason in
 * the log (RFB has no error message after the handshake). Thread-safe.
 */
final class RfbConnection {
    private static final System.Logger LOG = System.getLogger(RfbConnection.class.getName());
    private static final byte[] VERSION = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SECURITY_NONE = 1;
    /** Largest clipboard text accepted from a client; more closes the connection. */
    private static final int MAX_CUT_TEXT = 1 << 20;
    /** How often a writer with a pending incremental request looks for a changed screen. */
    private static final long POLL_MS = 200;

    private final VmConsole vm;
    private final Socket socket;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile PixelFormat format = PixelFormat.SERVER;
    /** Guarded by {@link #lock}: the union of unanswered requests, whether any was non-incremental, closed. */
    private Rect pending;
    private boolean pendingFull;
    private boolean formatChanged;
    private boolean closed;

    RfbConnection(VmConsole vm, Socket socket) {
        this.vm = vm;
        this.socket = socket;
    }

    /** Runs the connection on the calling thread until the client leaves or the console closes. */
    void run() {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            if (!handshake(in, out)) {
                return;
            }
            Thread writer = Thread.ofVirtual().name("rfb-write-" + vm.vmId()).start(() -> writeLoop(out));
            try {
                readLoop(in);
            } finally {
                close();
                writer.join(1_000);
            }
        } catch (EOFException e) {
            LOG.log(System.Logger.Level.DEBUG, "RFB client of {0} left", vm.vmId());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "RFB client of {0} failed: {1}", vm.vmId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
            vm.forget(this);
        }
    }

    /** Closes the connection; the threads end. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }

    // ---- handshake ------------------------------------------------------------------------------

    /** Version, security and initialisation; false when the client was refused (and told why, if it can be). */
    private boolean handshake(DataInputStream in, OutputStream out) throws IOException {
        out.write(VERSION);
        out.flush();
        byte[] theirs = new byte[12];
        in.readFully(theirs);
        int minor = RfbVersion.agreedMinor(new String(theirs, StandardCharsets.US_ASCII));
        if (minor < 0) {
            refuse("client sent protocol version '" + printable(theirs) + "', not 'RFB 003.00x'");
            return false;
        }
        if (minor == 3) {
            writeInt(out, SECURITY_NONE);
            out.flush();
        } else {
            out.write(new byte[]{1, SECURITY_NONE});
            out.flush();
            int chosen = in.readUnsignedByte();
            if (chosen != SECURITY_NONE) {
                String why = "security type " + chosen + " is not offered; this console offers only None (1)";
                if (minor == 8) {
                    writeInt(out, 1);
                    byte[] text = why.getBytes(StandardCharsets.UTF_8);
                    writeInt(out, text.length);
                    out.write(text);
                    out.flush();
                }
                refuse(why);
                return false;
            }
            if (minor == 8) {
                writeInt(out, 0);
                out.flush();
            }
        }
        in.readUnsignedByte(); // ClientInit: shared flag; every client shares the sim desktop
        byte[] name = vm.desktopName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer init = ByteBuffer.allocate(4 + PixelFormat.BYTES + 4 + name.length);
        init.putShort((short) DesktopPainter.WIDTH).putShort((short) DesktopPainter.HEIGHT);
        PixelFormat.SERVER.write(init);
        init.putInt(name.length).put(name);
        out.write(init.array());
        out.flush();
        return true;
    }

    // ---- client messages ------------------------------------------------------------------------

    private void readLoop(DataInputStream in) throws IOException {
        byte[] fmt = new byte[PixelFormat.BYTES];
        while (!isClosed()) {
            int type = in.readUnsignedByte();
            switch (type) {
                case 0 -> { // SetPixelFormat
                    in.skipNBytes(3);
                    in.readFully(fmt);
                    PixelFormat f = PixelFormat.read(ByteBuffer.wrap(fmt));
                    String why = f.unsupported();
                    if (why != null) {
                        refuse("client asked for pixel format " + f + ": " + why);
                        return;
                    }
                    setFormat(f);
                }
                case 2 -> { // SetEncodings: every client must take Raw, the only one sent
                    in.skipNBytes(1);
                    in.skipNBytes(4L * in.readUnsignedShort());
                }
                case 3 -> { // FramebufferUpdateRequest
                    boolean incremental = in.readUnsignedByte() != 0;
                    Rect r = new Rect(in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort(),
                            in.readUnsignedShort()).clip(DesktopPainter.WIDTH, DesktopPainter.HEIGHT);
                    request(incremental, r);
                }
                case 4 -> { // KeyEvent
                    in.skipNBytes(7);
                    vm.input();
                }
                case 5 -> { // PointerEvent
                    in.skipNBytes(5);
                    vm.input();
                }
                case 6 -> { // ClientCutText
                    in.skipNBytes(3);
                    int length = in.readInt();
                    if (length < 0 || length > MAX_CUT_TEXT) {
                        refuse("client sent " + Integer.toUnsignedString(length) + " bytes of clipboard text; at most "
                                + MAX_CUT_TEXT + " are accepted and extended clipboards are not offered");
                        return;
                    }
                    in.skipNBytes(length);
                    vm.input();
                }
                default -> {
                    refuse("client sent message type " + type + ", which this console does not offer");
                    return;
                }
            }
        }
    }

    private void setFormat(PixelFormat f) {
        lock.lock();
        try {
            format = f;
            formatChanged = true;
        } finally {
            lock.unlock();
        }
    }

    private void request(boolean incremental, Rect r) {
        lock.lock();
        try {
            pending = pending == null ? r : pending.union(r);
            pendingFull |= !incremental;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- updates --------------------------------------------------------------------------------

    /** A merged update request: the area asked for, and whether all of it must be sent. */
    private record Request(Rect area, boolean full, PixelFormat format) {
    }

    private void writeLoop(OutputStream out) {
        int[] shown = new int[DesktopPainter.WIDTH * DesktopPainter.HEIGHT];
        boolean anything = false;
        try {
            while (true) {
                Request r = take();
                if (r == null) {
                    return;
                }
                Frame frame = vm.frame();
                Rect send = r.full() || !anything ? r.area() : changed(shown, frame.pixels(), r.area());
                if (send == null || send.isEmpty() && !r.full()) {
                    putBack(r);
                    continue;
                }
                write(out, send, frame.pixels(), r.format());
                for (int y = send.y(); y < send.y() + send.height(); y++) {
                    System.arraycopy(frame.pixels(), y * DesktopPainter.WIDTH + send.x(), shown,
                            y * DesktopPainter.WIDTH + send.x(), send.width());
                }
                anything = true;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "writing to an RFB client of {0} failed: {1}", vm.vmId(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** The next request to answer, or null once closed. A new pixel format makes the next update full. */
    private Request take() throws InterruptedException {
        lock.lock();
        try {
            while (pending == null && !closed) {
                wake.await();
            }
            if (closed) {
                return null;
            }
            Request r = new Request(pending, pendingFull || formatChanged, format);
            pending = null;
            pendingFull = false;
            formatChanged = false;
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps an incremental request that has nothing to send yet and waits a little for the screen to change. */
    private void putBack(Request r) throws InterruptedException {
        lock.lock();
        try {
            pending = pending == null ? r.area() : pending.union(r.area());
            if (!pendingFull && !formatChanged && !closed) {
                wake.await(POLL_MS, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The bounding box of the pixels in {@code area} that differ between the two screens, or null. */
    static Rect changed(int[] before, int[] after, Rect area) {
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = area.y(); y < area.y() + area.height(); y++) {
            int row = y * DesktopPainter.WIDTH;
            for (int x = area.x(); x < area.x() + area.width(); x++) {
                if (before[row + x] != after[row + x]) {
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = y;
                }
            }
        }
        return maxX < 0 ? null : new Rect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /** One FramebufferUpdate with one Raw rectangle (an empty one when the client asked for nothing visible). */
    private static void write(OutputStream out, Rect r, int[] pixels, PixelFormat format) throws IOException {
        int bpp = format.bytesPerPixel();
        byte[] msg = new byte[4 + 12 + r.width() * r.height() * bpp];
        ByteBuffer head = ByteBuffer.wrap(msg);
        head.put((byte) 0).put((byte) 0).putShort((short) 1);
        head.putShort((short) r.x()).putShort((short) r.y()).putShort((short) r.width()).putShort((short) r.height());
        head.putInt(0);
        int at = 16;
        for (int y = r.y(); y < r.y() + r.height(); y++) {
            int row = y * DesktopPainter.WIDTH;
            for (int x = r.x(); x < r.x() + r.width(); x++) {
                at = format.encode(pixels[row + x], msg, at);
            }
        }
        out.write(msg);
        out.flush();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void refuse(String why) {
        LOG.log(System.Logger.Level.INFO, "closing an RFB client of VM {0}: {1}", vm.vmId(), why);
        close();
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
        out.write(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    private static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(b >= 32 && b < 127 ? (char) b : b == '\n' ? "\\n" : "?");
        }
        return sb.toString();
    }
}
