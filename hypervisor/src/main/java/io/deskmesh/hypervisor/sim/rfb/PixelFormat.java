package io.deskmesh.hypervisor.sim.rfb;

import java.nio.ByteBuffer;

/**
 * An RFB pixel format (RFC 6143 section 7.4): how a client wants pixels written. The sim server
 * writes true-colour formats of 8, 16 or 32 bits per pixel in either byte order, which covers what
 * VNC clients ask for (noVNC asks for 32 bits, little-endian, red at shift 0); colour-map formats
 * are refused. Immutable.
 *
 * @param bitsPerPixel 8, 16 or 32
 * @param depth        useful bits per pixel
 * @param bigEndian    byte order of multi-byte pixels
 * @param trueColour   whether pixels carry colours (true) or colour-map indexes (false)
 * @param redMax       largest red value, e.g. 255
 * @param greenMax     largest green value
 * @param blueMax      largest blue value
 * @param redShift     left shift of red within a pixel
 * @param greenShift   left shift of green
 * @param blueShift    left shift of blue
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax, int greenMax,
                          int blueMax, int redShift, int greenShift, int blueShift) {
    /** Size of a pixel format on the wire. */
    public static final int BYTES = 16;

    /** What the sim server offers in ServerInit: 32 bits, depth 24, little-endian, 0x00RRGGBB. */
    public static final PixelFormat SERVER = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    /** What noVNC asks for: 32 bits, depth 24, little-endian, red in the lowest byte. */
    public static final PixelFormat RGBX_LE = new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16);

    /** Reads the 16 bytes of a pixel format (including its 3 bytes of padding). */
    public static PixelFormat read(ByteBuffer b) {
        PixelFormat f = new PixelFormat(b.get() & 0xFF, b.get() & 0xFF, b.get() != 0, b.get() != 0, b.getShort() & 0xFFFF,
                b.getShort() & 0xFFFF, b.getShort() & 0xFFFF, b.get() & 0xFF, b.get() & 0xFF, b.get() & 0xFF);
        b.position(b.position() + 3);
        return f;
    }

    public void write(ByteBuffer b) {
        b.put((byte) bitsPerPixel).put((byte) depth).put((byte) (bigEndian ? 1 : 0)).put((byte) (trueColour ? 1 : 0))
                .putShort((short) redMax).putShort((short) greenMax).putShort((short) blueMax)
                .put((byte) redShift).put((byte) greenShift).put((byte) blueShift).put(new byte[3]);
    }

    /** Why the sim server cannot write this format, or null when it can. */
    public String unsupported() {
        if (!trueColour) {
            return "colour-map pixel formats are not supported; ask for true colour";
        }
        if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
            return bitsPerPixel + " bits per pixel is not supported; ask for 8, 16 or 32";
        }
        if (redMax == 0 || greenMax == 0 || blueMax == 0) {
            return "a colour maximum of 0 is not a true-colour format";
        }
        return null;
    }

    public int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /** Writes one {@code 0xRRGGBB} colour in this format at {@code at}; returns the next offset. */
    int encode(int rgb, byte[] out, int at) {
        int v = scale(rgb >> 16 & 0xFF, redMax) << redShift | scale(rgb >> 8 & 0xFF, greenMax) << greenShift
                | scale(rgb & 0xFF, blueMax) << blueShift;
        int n = bytesPerPixel();
        for (int i = 0; i < n; i++) {
            int shift = bigEndian ? (n - 1 - i) * 8 : i * 8;
            out[at + i] = (byte) (v >>> shift);
        }
        return at + n;
    }

    /** Reads one pixel in this format at {@code at} back as {@code 0xRRGGBB} (what clients do). */
    public int decode(byte[] in, int at) {
        int n = bytesPerPixel();
        int v = 0;
        for (int i = 0; i < n; i++) {
            int shift = bigEndian ? (n - 1 - i) * 8 : i * 8;
            v |= (in[at + i] & 0xFF) << shift;
        }
        return unscale(v >>> redShift & redMax, redMax) << 16 | unscale(v >>> greenShift & greenMax, greenMax) << 8
                | unscale(v >>> blueShift & blueMax, blueMax);
    }

    private static int scale(int c, int max) {
        return max == 255 ? c : (c * max + 127) / 255;
    }

    private static int unscale(int c, int max) {
        return max == 255 ? c : (c * 255 + max / 2) / max;
    }
}
