package io.deskmesh.node.console;

import io.deskmesh.hypervisor.sim.rfb.RfbVersion;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server half of an RFB handshake with a native viewer, up to the security result: this node
 * speaks first ({@code RFB 003.008}), offers only VNC Authentication (type 2) and sends its
 * challenge; the caller checks the answer and then {@link #admit}s or {@link #fail}s. Viewers of
 * RFB 3.3, 3.7 and 3.8 are served, each as its version says (3.3: the server picks the type; only
 * 3.8 carries a reason with a failed result, the others learn it only from a refusal before
 * authentication). Not thread-safe: one per connection.
 */
final class VncGate {
    static final byte[] VERSION = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
    static final int SECURITY_VNC_AUTH = 2;

    /** The viewer broke the protocol; the connection is dropped without another word. */
    static final class ProtocolError extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolError(String message) {
            super(message);
        }
    }

    private final DataInputStream in;
    private final OutputStream out;
    private int minor = -1;

    VncGate(DataInputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** Exchanges versions; returns the minor version agreed (3, 7 or 8). */
    int greet() throws IOException {
        out.write(VERSION);
        out.flush();
        byte[] theirs = new byte[12];
        in.readFully(theirs);
        minor = RfbVersion.agreedMinor(new String(theirs, StandardCharsets.US_ASCII));
        if (minor < 0) {
            throw new ProtocolError("the viewer did not answer with an RFB 3.x version");
        }
        return minor;
    }

    /** Refuses the viewer before authentication, with a reason every version can show. */
    void refuse(String reason) throws IOException {
        ByteBuffer b = minor == 3 ? ByteBuffer.allocate(4).putInt(0) : ByteBuffer.allocate(1).put((byte) 0);
        out.write(b.array());
        writeReason(reason);
        out.flush();
    }

    /** Offers VNC Authentication, sends {@code challenge} and returns the viewer's 16-byte answer. */
    byte[] challenge(byte[] challenge) throws IOException {
        if (minor == 3) {
            out.write(ByteBuffer.allocate(4).putInt(SECURITY_VNC_AUTH).array());
        } else {
            out.write(new byte[]{1, SECURITY_VNC_AUTH});
            out.flush();
            int chosen = in.readUnsignedByte();
            if (chosen != SECURITY_VNC_AUTH) {
                throw new ProtocolError("the viewer chose security type " + chosen + ", which was not offered");
            }
        }
        out.write(challenge);
        out.flush();
        byte[] response = new byte[VncAuth.CHALLENGE_BYTES];
        in.readFully(response);
        return response;
    }

    /** The security result OK: the viewer sends its ClientInit next. */
    void admit() throws IOException {
        out.write(new byte[4]);
        out.flush();
    }

    /** The security result failed, with {@code reason} for viewers of 3.8 (the others get none). */
    void fail(String reason) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(1).array());
        if (minor == 8) {
            writeReason(reason);
        }
        out.flush();
    }

    private void writeReason(String reason) throws IOException {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(4).putInt(text.length).array());
        out.write(text);
    }
}
