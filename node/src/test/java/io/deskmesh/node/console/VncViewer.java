package io.deskmesh.node.console;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A plain RFB client with VNC Authentication, as a native viewer (TigerVNC, remote-viewer) speaks
 * to a node's VNC entry: version, security type 2, the DES answer to the challenge, security
 * result, ClientInit, ServerInit. Only the handshake and one update request; for tests.
 */
final class VncViewer implements Closeable {
    /** How a connection ended its handshake: admitted (with the desktop's name) or refused (with the reason). */
    record Outcome(boolean admitted, String desktopName, int width, int height, String reason) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private VncViewer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static VncViewer connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(15_000);
        return new VncViewer(s);
    }

    /** Runs the handshake as an RFB 3.{@code minor} viewer with {@code password}. */
    Outcome login(String password, int minor) throws IOException {
        byte[] version = new byte[12];
        in.readFully(version);
        if (!new String(version, StandardCharsets.US_ASCII).equals("RFB 003.008\n")) {
            throw new IOException("the entry said " + new String(version, StandardCharsets.US_ASCII).strip());
        }
        out.write(String.format("RFB 003.%03d\n", minor).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (minor == 3) {
            int type = in.readInt();
            if (type == 0) {
                return refused(reason());
            }
            if (type != 2) {
                throw new IOException("the entry chose security type " + type);
            }
        } else {
            int n = in.readUnsignedByte();
            if (n == 0) {
                return refused(reason());
            }
            byte[] types = new byte[n];
            in.readFully(types);
            if (n != 1 || types[0] != 2) {
                throw new IOException("the entry offered types other than VNC Authentication alone");
            }
            out.write(2);
            out.flush();
        }
        byte[] challenge = new byte[16];
        in.readFully(challenge);
        out.write(VncAuth.response(challenge, password));
        out.flush();
        int result = in.readInt();
        if (result != 0) {
            return refused(minor == 8 ? reason() : "(no reason in RFB 3." + minor + ")");
        }
        out.write(1); // ClientInit: shared
        out.flush();
        int width = in.readUnsignedShort();
        int height = in.readUnsignedShort();
        in.readFully(new byte[16]); // pixel format
        byte[] name = new byte[in.readInt()];
        in.readFully(name);
        return new Outcome(true, new String(name, StandardCharsets.UTF_8), width, height, null);
    }

    /** Asks for the whole screen and returns how many rectangles the update header announces. */
    int requestUpdate(int width, int height) throws IOException {
        out.write(ByteBuffer.allocate(10).put((byte) 3).put((byte) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) width).putShort((short) height).array());
        out.flush();
        int type = in.readUnsignedByte();
        if (type != 0) {
            throw new IOException("expected a FramebufferUpdate, got message type " + type);
        }
        in.readUnsignedByte();
        return in.readUnsignedShort();
    }

    /** Sends a pointer event (user input). */
    void pointer(int x, int y) throws IOException {
        out.write(ByteBuffer.allocate(6).put((byte) 5).put((byte) 0).putShort((short) x).putShort((short) y).array());
        out.flush();
    }

    /** Whether the node closed the connection within the socket's read timeout (reads and drops what comes first). */
    boolean closedByNode() throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // drain what was in flight
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    private Outcome refused(String reason) {
        return new Outcome(false, null, 0, 0, reason);
    }

    private String reason() throws IOException {
        byte[] r = new byte[in.readInt()];
        in.readFully(r);
        return new String(r, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
