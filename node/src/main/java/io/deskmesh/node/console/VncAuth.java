package io.deskmesh.node.console;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * VNC Authentication (RFB security type 2, RFC 6143 section 7.2.2): the server sends a 16-byte
 * challenge and the client answers with it DES-encrypted (ECB, no padding) under its password.
 * The password, cut or zero-padded to 8 bytes, is the DES key with the bits of each byte reversed:
 * the original VNC code filled DES key bytes least-significant bit first, and every client since
 * has had to do the same. Only the first 8 characters of a password count. Stateless, thread-safe.
 */
final class VncAuth {
    static final int CHALLENGE_BYTES = 16;
    static final int PASSWORD_BYTES = 8;

    private VncAuth() {
    }

    /** The answer a client holding {@code password} gives to {@code challenge}. */
    static byte[] response(byte[] challenge, String password) {
        return encrypt(challenge, key(password.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** The DES key of a VNC password: the first 8 bytes, zero-padded, each bit-reversed. */
    static byte[] key(byte[] password) {
        byte[] key = new byte[PASSWORD_BYTES];
        for (int i = 0; i < PASSWORD_BYTES && i < password.length; i++) {
            key[i] = (byte) (Integer.reverse(password[i] & 0xff) >>> 24);
        }
        return key;
    }

    /** {@code challenge} encrypted with DES/ECB/NoPadding under the (already reversed) {@code key}. */
    static byte[] encrypt(byte[] challenge, byte[] key) {
        if (challenge.length != CHALLENGE_BYTES) {
            throw new IllegalArgumentException("a VNC challenge has " + CHALLENGE_BYTES + " bytes, not " + challenge.length);
        }
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
            return des.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DES is not available in this JDK: " + e, e);
        }
    }
}
