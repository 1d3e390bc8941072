package io.deskmesh.node.console;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Tells a console's user input from its client's housekeeping, by following the RFB (VNC) messages a
 * client sends. A browser client such as noVNC asks for screen updates many times a second whether
 * or not anyone is at the keyboard; counting those bytes as activity would keep every open console's
 * session from ever timing out as idle. Only key, pointer and clipboard messages (and xvp and QEMU
 * messages: a reboot request, QEMU's extended key event) count as input.
 *
 * <p>It follows the client half of the handshake (protocol version; security type None or VNC
 * authentication; ClientInit), then the standard client messages and the common extensions
 * (continuous updates, fences, xvp, desktop size, QEMU). Whatever it cannot follow (another
 * protocol such as SPICE, an unknown message type) makes it give up and count every later byte as
 * input, as a proxy that understood nothing would: it may keep an idle session alive, never end an
 * active one. Not thread-safe (one per console, fed in order).
 */
final class RfbInputMeter {
    private enum Phase { VERSION, SECURITY, AUTH, CLIENT_INIT, TYPE, HEADER, SKIP, LOST }

    private Phase phase;
    private final byte[] header = new byte[20];
    private int have;
    private int headerLength;
    private long skip;
    private boolean oldProtocol;
    /** Whether the message being read is user input. */
    private boolean current;

    /** A meter for a client's whole stream, from its protocol version on. */
    RfbInputMeter() {
        this(Phase.VERSION);
    }

    private RfbInputMeter(Phase first) {
        this.phase = first;
    }

    /** A meter for a stream whose handshake the proxy did itself: it starts at the client's ClientInit. */
    static RfbInputMeter afterSecurity() {
        return new RfbInputMeter(Phase.CLIENT_INIT);
    }

    /** Whether {@code data} (not consumed) holds user input; keeps its place for the next chunk. */
    boolean input(ByteBuffer data) {
        ByteBuffer b = data.duplicate();
        boolean input = false;
        while (b.hasRemaining()) {
            switch (phase) {
                case LOST -> {
                    return true;
                }
                case VERSION -> {
                    if (fill(b, 12)) {
                        String v = new String(header, 0, 12, StandardCharsets.US_ASCII);
                        if (!v.matches("RFB \\d{3}\\.\\d{3}\n")) {
                            phase = Phase.LOST;
                            return true;
                        }
                        oldProtocol = v.equals("RFB 003.003\n");
                        next(oldProtocol ? Phase.CLIENT_INIT : Phase.SECURITY);
                    }
                }
                case SECURITY -> {
                    int type = b.get() & 0xff;
                    if (type == 1) {
                        next(Phase.CLIENT_INIT);
                    } else if (type == 2) {
                        next(Phase.AUTH);
                    } else {
                        phase = Phase.LOST;
                        return true;
                    }
                }
                case AUTH -> {
                    if (fill(b, 16)) {
                        next(Phase.CLIENT_INIT);
                    }
                }
                case CLIENT_INIT -> {
                    b.get();
                    next(Phase.TYPE);
                }
                case TYPE -> {
                    header[0] = b.get();
                    have = 1;
                    int type = header[0] & 0xff;
                    headerLength = switch (type) {
                        case 0 -> 20;   // SetPixelFormat
                        case 2 -> 4;    // SetEncodings: then 4 bytes per encoding
                        case 3 -> 10;   // FramebufferUpdateRequest
                        case 4 -> 8;    // KeyEvent
                        case 5 -> 6;    // PointerEvent
                        case 6 -> 8;    // ClientCutText: then the text
                        case 150 -> 10; // EnableContinuousUpdates
                        case 248 -> 9;  // ClientFence: then its payload
                        case 250 -> 4;  // xvp (shutdown, reboot, reset)
                        case 251 -> 8;  // SetDesktopSize: then 16 bytes per screen
                        case 255 -> 2;  // QEMU: its subtype decides
                        default -> -1;
                    };
                    if (headerLength < 0) {
                        phase = Phase.LOST;
                        return true;
                    }
                    current = type == 4 || type == 5 || type == 6 || type == 250 || type == 255;
                    input |= current;
                    phase = Phase.HEADER;
                }
                case HEADER -> {
                    input |= current;
                    if (fill(b, headerLength) && !decided()) {
                        return true;
                    }
                }
                case SKIP -> {
                    int n = (int) Math.min(skip, b.remaining());
                    b.position(b.position() + n);
                    skip -= n;
                    input |= current;
                    if (skip == 0) {
                        next(Phase.TYPE);
                    }
                }
            }
        }
        return input;
    }

    /** The header of the current message is complete: moves on; false when it lost its place. */
    private boolean decided() {
        int type = header[0] & 0xff;
        ByteBuffer h = ByteBuffer.wrap(header, 0, headerLength);
        long trailing = switch (type) {
            case 2 -> 4L * (h.getShort(2) & 0xffff);
            case 6 -> Math.abs((long) h.getInt(4)); // negative: the extended clipboard's length
            case 248 -> header[8] & 0xff;
            case 251 -> 16L * (header[6] & 0xff);
            case 255 -> qemu();
            default -> 0;
        };
        if (trailing < 0) {
            phase = Phase.LOST;
            return false;
        }
        if (trailing == 0) {
            next(Phase.TYPE);
        } else {
            skip = trailing;
            have = 0;
            phase = Phase.SKIP;
        }
        return true;
    }

    /** Bytes after the 2-byte QEMU header, by subtype; -1 for one it does not know. */
    private long qemu() {
        return switch (header[1]) {
            case 0 -> 10; // extended key event: 12 bytes in all
            default -> -1;
        };
    }

    /** Copies bytes into the header until it holds {@code n}; whether it does. */
    private boolean fill(ByteBuffer b, int n) {
        int take = Math.min(n - have, b.remaining());
        b.get(header, have, take);
        have += take;
        return have == n;
    }

    private void next(Phase p) {
        phase = p;
        have = 0;
    }
}
