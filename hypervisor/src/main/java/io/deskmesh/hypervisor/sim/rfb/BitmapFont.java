package io.deskmesh.hypervisor.sim.rfb;

/**
 * A 5x8 bitmap font for printable ASCII (the classic column-major LCD font), enough to draw a
 * desktop's name, its user and a clock without AWT, which needs fonts a server may not have.
 * Characters outside 32..126 draw as '?'. Stateless, thread-safe.
 */
final class BitmapFont {
    /** Glyph width and height in font pixels; a character cell adds one column of spacing. */
    static final int GLYPH_WIDTH = 5;
    static final int GLYPH_HEIGHT = 8;
    static final int CELL_WIDTH = GLYPH_WIDTH + 1;

    /** Five column bytes per glyph (bit 0 is the top row), for characters 32..126 in order. */
    private static final String GLYPHS = ""
            + "0000000000" + "00005F0000" + "0007000700" + "147F147F14" + "242A7F2A12" // space ! " # $
            + "2313086462" + "3649562050" + "0008070300" + "001C224100" + "0041221C00" // % & ' ( )
            + "2A1C7F1C2A" + "08083E0808" + "0080703000" + "0808080808" + "0000606000" // * + , - .
            + "2010080402" + "3E5149453E" + "00427F4000" + "7249494946" + "2141494D33" // / 0 1 2 3
            + "1814127F10" + "2745454539" + "3C4A494931" + "4121110907" + "3649494936" // 4 5 6 7 8
            + "464949291E" + "0000140000" + "0040340000" + "0008142241" + "1414141414" // 9 : ; < =
            + "0041221408" + "0201590906" + "3E415D594E" + "7C1211127C" + "7F49494936" // > ? @ A B
            + "3E41414122" + "7F4141413E" + "7F49494941" + "7F09090901" + "3E41415173" // C D E F G
            + "7F0808087F" + "00417F4100" + "2040413F01" + "7F08142241" + "7F40404040" // H I J K L
            + "7F021C027F" + "7F0408107F" + "3E4141413E" + "7F09090906" + "3E4151215E" // M N O P Q
            + "7F09192946" + "2649494932" + "03017F0103" + "3F4040403F" + "1F2040201F" // R S T U V
            + "3F4038403F" + "6314081463" + "0304780403" + "6159494D43" + "007F414141" // W X Y Z [
            + "0204081020" + "004141417F" + "0402010204" + "4040404040" + "0003070800" // \ ] ^ _ `
            + "2054547840" + "7F28444438" + "3844444428" + "384444287F" + "3854545418" // a b c d e
            + "00087E0902" + "18A4A49C78" + "7F08040478" + "00447D4000" + "2040403D00" // f g h i j
            + "7F10284400" + "00417F4000" + "7C04780478" + "7C08040478" + "3844444438" // k l m n o
            + "FC18242418" + "18242418FC" + "7C08040408" + "4854545424" + "04043F4424" // p q r s t
            + "3C4040207C" + "1C2040201C" + "3C4030403C" + "4428102844" + "4C9090907C" // u v w x y
            + "4464544C44" + "0008364100" + "0000770000" + "0041360800" + "0201020402"; // z { | } ~

    private static final byte[] COLUMNS = new byte[GLYPHS.length() / 2];

    static {
        for (int i = 0; i < COLUMNS.length; i++) {
            COLUMNS[i] = (byte) Integer.parseInt(GLYPHS, i * 2, i * 2 + 2, 16);
        }
    }

    private BitmapFont() {
    }

    /** Whether the glyph of {@code c} has its pixel at column {@code x} (0..4) and row {@code y} (0..7) set. */
    static boolean pixel(char c, int x, int y) {
        int index = c >= 32 && c <= 126 ? c - 32 : '?' - 32;
        return (COLUMNS[index * GLYPH_WIDTH + x] >> y & 1) != 0;
    }

    /** The width in screen pixels of {@code text} drawn at {@code scale}. */
    static int width(String text, int scale) {
        return text.length() * CELL_WIDTH * scale;
    }
}
