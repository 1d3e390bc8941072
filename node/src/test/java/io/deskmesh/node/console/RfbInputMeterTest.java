package io.deskmesh.node.console;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class RfbInputMeterTest {
    private static final byte[] HANDSHAKE = concat("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII), new byte[]{1, 1});

    @Test
    void theHandshakeAndUpdateRequestsAreNotInput() {
        RfbInputMeter m = new RfbInputMeter();
        assertThat(m.input(wrap(HANDSHAKE))).isFalse();
        assertThat(m.input(wrap(setEncodings(5)))).isFalse();
        assertThat(m.input(wrap(new byte[20]))).as("SetPixelFormat").isFalse();
        for (int i = 0; i < 50; i++) {
            assertThat(m.input(wrap(updateRequest()))).isFalse();
        }
        assertThat(m.input(wrap(concat(new byte[]{(byte) 150, 1, 0, 0, 0, 0, 0, 0, 0, 0}, fence(4))))).isFalse();
    }

    @Test
    void keysPointerAndClipboardAreInputWhereverChunksSplitThem() {
        byte[] stream = concat(HANDSHAKE, setEncodings(3), updateRequest(), updateRequest(), pointer(), updateRequest(),
                key(), clipboard("hello"), qemuKey(), updateRequest());
        // message boundaries: which byte ends which message, and whether that message is input
        RfbInputMeter whole = new RfbInputMeter();
        assertThat(whole.input(wrap(stream))).isTrue();

        RfbInputMeter bytes = new RfbInputMeter();
        int inputBytes = 0;
        for (byte b : stream) {
            if (bytes.input(wrap(new byte[]{b}))) {
                inputBytes++;
            }
        }
        assertThat(inputBytes).as("the bytes of the pointer, key, clipboard and QEMU key messages")
                .isEqualTo(6 + 8 + 8 + 5 + 12);
        assertThat(bytes.input(wrap(updateRequest()))).as("still in step after all that").isFalse();
    }

    @Test
    void aVncAuthenticationResponseIsSkipped() {
        RfbInputMeter m = new RfbInputMeter();
        assertThat(m.input(wrap(concat("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII), new byte[]{2}, new byte[16],
                new byte[]{0}, updateRequest())))).isFalse();
        assertThat(m.input(wrap(key()))).isTrue();
        RfbInputMeter old = new RfbInputMeter();
        assertThat(old.input(wrap(concat("RFB 003.003\n".getBytes(StandardCharsets.US_ASCII), new byte[]{1},
                updateRequest())))).as("3.3: the server chose the security type").isFalse();
    }

    @Test
    void whatItCannotFollowCountsAsInputFromThenOn() {
        RfbInputMeter spice = new RfbInputMeter();
        assertThat(spice.input(wrap("REDQ\u0002\u0000\u0000\u0000\u0002\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1))))
                .isTrue();
        assertThat(spice.input(wrap(new byte[]{0}))).isTrue();

        RfbInputMeter unknown = new RfbInputMeter();
        unknown.input(wrap(HANDSHAKE));
        assertThat(unknown.input(wrap(new byte[]{99, 0, 0}))).isTrue();
        assertThat(unknown.input(wrap(updateRequest()))).as("lost its place: everything counts").isTrue();
    }

    private static byte[] setEncodings(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * n).put((byte) 2).put((byte) 0).putShort((short) n);
        for (int i = 0; i < n; i++) {
            b.putInt(-i);
        }
        return b.array();
    }

    private static byte[] updateRequest() {
        return ByteBuffer.allocate(10).put((byte) 3).put((byte) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 640).putShort((short) 400).array();
    }

    private static byte[] pointer() {
        return ByteBuffer.allocate(6).put((byte) 5).put((byte) 0).putShort((short) 10).putShort((short) 20).array();
    }

    private static byte[] key() {
        return ByteBuffer.allocate(8).put((byte) 4).put((byte) 1).putShort((short) 0).putInt(0x61).array();
    }

    private static byte[] clipboard(String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        return concat(ByteBuffer.allocate(8).put((byte) 6).put(new byte[3]).putInt(t.length).array(), t);
    }

    private static byte[] qemuKey() {
        return ByteBuffer.allocate(12).put((byte) 255).put((byte) 0).putShort((short) 1).putInt(0x61).putInt(30).array();
    }

    private static byte[] fence(int payload) {
        return concat(ByteBuffer.allocate(9).put((byte) 248).put(new byte[3]).putInt(0).put((byte) payload).array(),
                new byte[payload]);
    }

    private static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
