package io.deskmesh.hypervisor;

import java.util.HexFormat;

/**
 * One 48-bit Ethernet MAC address; immutable, ordered by value. Written as six lower-case
 * hex octets separated by colons ({@code 02:de:5c:00:01:ff}), which is how records store it.
 *
 * @param value the address in the low 48 bits
 */
public record MacAddress(long value) implements Comparable<MacAddress> {
    private static final long MASK_48 = (1L << 48) - 1;

    public MacAddress {
        if ((value & ~MASK_48) != 0) {
            throw new IllegalArgumentException("MAC value 0x" + Long.toHexString(value)
                    + " does not fit in 48 bits; pass six octets");
        }
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (either case).
     *
     * @throws IllegalArgumentException naming the text when it is not six colon-separated hex octets
     */
    public static MacAddress parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address; write six hex octets"
                    + " separated by colons, e.g. 02:de:5c:00:00:01");
        }
        long value = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i < 5 && text.charAt(at + 2) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address; octets must be"
                        + " separated by ':', e.g. 02:de:5c:00:00:01");
            }
            char hi = text.charAt(at);
            char lo = text.charAt(at + 1);
            if (!HexFormat.isHexDigit(hi) || !HexFormat.isHexDigit(lo)) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address; octet " + (i + 1)
                        + " is not hex");
            }
            value = (value << 8) | (HexFormat.fromHexDigit(hi) << 4) | HexFormat.fromHexDigit(lo);
        }
        return new MacAddress(value);
    }

    /** The i-th octet, 0 being the first one written. */
    public int octet(int i) {
        if (i < 0 || i > 5) {
            throw new IndexOutOfBoundsException("octet index " + i + " is outside 0..5");
        }
        return (int) (value >>> (8 * (5 - i))) & 0xff;
    }

    /** Whether the I/G bit (lowest bit of the first octet) is clear: a single station, not a group. */
    public boolean isUnicast() {
        return (octet(0) & 0x01) == 0;
    }

    /** Whether the U/L bit (second-lowest bit of the first octet) is set: not assigned by IEEE. */
    public boolean isLocallyAdministered() {
        return (octet(0) & 0x02) != 0;
    }

    @Override
    public int compareTo(MacAddress other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(17);
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                out.append(':');
            }
            out.append(hex.toHexDigits((byte) octet(i)));
        }
        return out.toString();
    }
}
