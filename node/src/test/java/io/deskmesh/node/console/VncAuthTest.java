package io.deskmesh.node.console;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VncAuthTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theAnswerIsDesOfTheChallengeUnderTheBitReversedPassword() {
        // FIPS 81's DES example: key 0123456789abcdef, "Now is the time " -> 3fa40e8a984d4815 6a271787ab8883f9.
        // The password whose bytes, each bit-reversed, make that key:
        byte[] password = HEX.parseHex("80c4a2e691d5b3f7");
        assertThat(HEX.formatHex(VncAuth.key(password))).isEqualTo("0123456789abcdef");
        byte[] answer = VncAuth.encrypt("Now is the time ".getBytes(StandardCharsets.US_ASCII), VncAuth.key(password));
        assertThat(HEX.formatHex(answer)).isEqualTo("3fa40e8a984d48156a271787ab8883f9");
    }

    @Test
    void aTextPasswordAnswersAsOpenSslComputesIt() {
        // printf 'DeskMesh-challng' | openssl enc -des-ecb -K 26a6ced6b6a6ce16 -nopad (the key: "deskmesh" bit-reversed)
        byte[] answer = VncAuth.response("DeskMesh-challng".getBytes(StandardCharsets.US_ASCII), "deskmesh");
        assertThat(HEX.formatHex(answer)).isEqualTo("8ac48c02b6bdbbe82b2dac4f103d4d97");
    }

    @Test
    void onlyTheFirstEightCharactersCountAndShortOnesArePaddedWithZeros() {
        byte[] challenge = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(VncAuth.response(challenge, "deskmesh-and-more")).isEqualTo(VncAuth.response(challenge, "deskmesh"));
        assertThat(VncAuth.response(challenge, "desk")).isEqualTo(VncAuth.encrypt(challenge,
                VncAuth.key(new byte[]{'d', 'e', 's', 'k', 0, 0, 0, 0})));
        assertThat(VncAuth.response(challenge, "desk")).isNotEqualTo(VncAuth.response(challenge, "deskmesh"));
    }

    @Test
    void aChallengeHasSixteenBytes() {
        assertThatThrownBy(() -> VncAuth.response(new byte[8], "deskmesh"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes, not 8");
    }
}
