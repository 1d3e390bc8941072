package io.deskmesh.hypervisor.sim.rfb;

/**
 * The RFB protocol version a server agrees on from the client's version message; shared by the sim's
 * consoles and by the node's VNC entry, which both play the server. Stateless.
 */
public final class RfbVersion {
    private RfbVersion() {
    }

    /**
     * The version both sides speak: 3.8 for 3.8 and later (RFC 6143 says to answer unknown later
     * versions as the highest known), 3.7 for 3.7, 3.3 for 3.3 to 3.6; -1 for anything else.
     */
    public static int agreedMinor(String version) {
        if (version.length() != 12 || !version.startsWith("RFB ") || version.charAt(7) != '.' || version.charAt(11) != '\n') {
            return -1;
        }
        int major;
        int minor;
        try {
            major = Integer.parseInt(version.substring(4, 7));
            minor = Integer.parseInt(version.substring(8, 11));
        } catch (NumberFormatException e) {
            return -1;
        }
        if (major > 3 || major == 3 && minor >= 8) {
            return 8;
        }
        if (major == 3 && minor == 7) {
            return 7;
        }
        return major == 3 && minor >= 3 ? 3 : -1;
    }
}
