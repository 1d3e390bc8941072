package io.deskmesh.hypervisor.sim.rfb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RFB client, enough to check that a console answers: the 3.8, 3.7 or 3.3
 * handshake with security None, pixel format and encodings, update requests, Raw rectangles read
 * back as {@code 0xRRGGBB}, and key and pointer events. Works over a socket or any pair of streams
 * (a WebSocket, in the console proxy's tests); each message is written with one flush, so a
 * message-based transport carries it in one piece. For tests and smoke checks, not for users.
 * Not thread-safe.
 */
public final class RfbClient implements Closeable {
    /** One rectangle of an update, its pixels as {@code 0xRRGGBB} row by row. */
    public record Rectangle(int x, int y, int width, int height, int[] rgb) {
    }

    private final DataInputStream in;
    private final OutputStream out;
    private final Closeable transport;
    private final int minor;
    private int width;
    private int height;
    private String name;
    private PixelFormat format;

    private RfbClient(InputStream in, OutputStream out, Closeable transport, int minor) {
        this.in = new DataInputStream(new BufferedInputStream(in));
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.transport = transport;
        this.minor = minor;
    }

    /** Connects to {@code host:port} and runs the handshake as an RFB 3.{@code minor} client (3, 7 or 8). */
    public static RfbClient connect(String host, int port, int minor, int timeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            return handshake(s.getInputStream(), s.getOutputStream(), s, minor);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Runs the handshake over the given streams; closing the client closes {@code transport}. */
    public static RfbClient handshake(InputStream in, OutputStream out, Closeable transport, int minor) throws IOException {
        if (minor != 3 && minor != 7 && minor != 8) {
            throw new IllegalArgumentException("RFB minor version " + minor + " is not one of 3, 7, 8");
        }
        RfbClient c = new RfbClient(in, out, transport, minor);
        c.handshake();
        return c;
    }

    private void handshake() throws IOException {
        byte[] version = new byte[12];
        in.readFully(version);
        String theirs = new String(version, StandardCharsets.US_ASCII);
        if (!theirs.startsWith("RFB ")) {
            throw new IOException("not an RFB server: it said '" + theirs.strip() + "'");
        }
        send(String.format("RFB 003.%03d\n", minor).getBytes(StandardCharsets.US_ASCII));
        if (minor == 3) {
            int type = in.readInt();
            if (type != 1) {
                throw new IOException("server chose security type " + type + ", not None (1)" + (type == 0 ? ": " + reason() : ""));
            }
        } else {
            int n = in.readUnsignedByte();
            if (n == 0) {
                throw new IOException("server refused the connection: " + reason());
            }
            boolean none = false;
            for (int i = 0; i < n; i++) {
                none |= in.readUnsignedByte() == 1;
            }
            if (!none) {
                throw new IOException("server does not offer security type None");
            }
            send(new byte[]{1});
            if (minor == 8 && in.readInt() != 0) {
                throw new IOException("security handshake failed: " + reason());
            }
        }
        send(new byte[]{1});
        width = in.readUnsignedShort();
        height = in.readUnsignedShort();
        byte[] fmt = new byte[PixelFormat.BYTES];
        in.readFully(fmt);
        format = PixelFormat.read(ByteBuffer.wrap(fmt));
        byte[] n = new byte[in.readInt()];
        in.readFully(n);
        name = new String(n, StandardCharsets.UTF_8);
    }

    private String reason() throws IOException {
        byte[] r = new byte[in.readInt()];
        in.readFully(r);
        return new String(r, StandardCharsets.UTF_8);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The desktop name from ServerInit. */
    public String name() {
        return name;
    }

    /** The pixel format updates arrive in: the server's, until {@link #setPixelFormat}. */
    public PixelFormat format() {
        return format;
    }

    public void setPixelFormat(PixelFormat f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + PixelFormat.BYTES);
        b.put((byte) 0).put(new byte[3]);
        f.write(b);
        send(b.array());
        format = f;
    }

    public void setEncodings(int... encodings) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * encodings.length);
        b.put((byte) 2).put((byte) 0).putShort((short) encodings.length);
        for (int e : encodings) {
            b.putInt(e);
        }
        send(b.array());
    }

    public void requestUpdate(boolean incremental, int x, int y, int w, int h) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10);
        b.put((byte) 3).put((byte) (incremental ? 1 : 0)).putShort((short) x).putShort((short) y).putShort((short) w)
                .putShort((short) h);
        send(b.array());
    }

    public void key(boolean down, int keysym) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.put((byte) 4).put((byte) (down ? 1 : 0)).putShort((short) 0).putInt(keysym);
        send(b.array());
    }

    public void pointer(int buttons, int x, int y) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(6);
        b.put((byte) 5).put((byte) buttons).putShort((short) x).putShort((short) y);
        send(b.array());
    }

    /** Reads server messages until a FramebufferUpdate and returns its Raw rectangles. */
    public List<Rectangle> readUpdate() throws IOException {
        while (true) {
            int type = in.readUnsignedByte();
            switch (type) {
                case 0 -> {
                    return rectangles();
                }
                case 2 -> { // Bell
                }
                case 3 -> { // ServerCutText
                    in.skipNBytes(3);
                    in.skipNBytes(in.readInt());
                }
                default -> throw new IOException("server sent message type " + type + ", which this client cannot read");
            }
        }
    }

    private List<Rectangle> rectangles() throws IOException {
        in.skipNBytes(1);
        int n = in.readUnsignedShort();
        List<Rectangle> out = new ArrayList<>(n);
        int bpp = format.bytesPerPixel();
        for (int i = 0; i < n; i++) {
            int x = in.readUnsignedShort();
            int y = in.readUnsignedShort();
            int w = in.readUnsignedShort();
            int h = in.readUnsignedShort();
            int encoding = in.readInt();
            if (encoding != 0) {
                throw new IOException("server sent encoding " + encoding + "; this client reads only Raw (0)");
            }
            byte[] raw = new byte[w * h * bpp];
            in.readFully(raw);
            int[] rgb = new int[w * h];
            for (int p = 0; p < rgb.length; p++) {
                rgb[p] = format.decode(raw, p * bpp);
            }
            out.add(new Rectangle(x, y, w, h, rgb));
        }
        return out;
    }

    private void send(byte[] message) throws IOException {
        out.write(message);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
