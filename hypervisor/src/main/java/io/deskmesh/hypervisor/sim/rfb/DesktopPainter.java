package io.deskmesh.hypervisor.sim.rfb;

import java.time.LocalTime;
import java.util.Arrays;

/**
 * Draws the placeholder screen of a simulated desktop: a title bar, a panel with the desktop's
 * name, its user (or its VM id when nobody holds it), the VM and its host, and a taskbar with a
 * UTC clock, so whoever opens the console can tell whose desktop it is and that it is live.
 * Pixels are {@code 0xRRGGBB}, row by row. Stateless, thread-safe.
 */
final class DesktopPainter {
    static final int WIDTH = 640;
    static final int HEIGHT = 400;
    /** The taskbar, where the clock is: the only part of the screen that changes every second. */
    static final int TASKBAR_TOP = HEIGHT - 26;

    private static final int TOP = 0x1D3557;
    private static final int BOTTOM = 0x2A9D8F;
    private static final int BAR = 0x0B132B;
    private static final int PANEL = 0xF1FAEE;
    private static final int BORDER = 0x457B9D;
    private static final int INK = 0x1D1D1D;
    private static final int MUTED = 0x4A5560;
    private static final int LIGHT = 0xFFFFFF;

    /** What a frame shows. */
    record Scene(String desktop, String user, String vmId, String host, long epochSecond) {
    }

    private DesktopPainter() {
    }

    static int[] paint(Scene scene) {
        int[] px = new int[WIDTH * HEIGHT];
        for (int y = 0; y < HEIGHT; y++) {
            Arrays.fill(px, y * WIDTH, (y + 1) * WIDTH, blend(TOP, BOTTOM, y, HEIGHT - 1));
        }
        fill(px, 0, 0, WIDTH, 24, BAR);
        text(px, "DeskMesh - simulated desktop", 8, 5, 2, LIGHT);
        int left = 70;
        int top = 80;
        int right = WIDTH - 70;
        int bottom = 300;
        fill(px, left - 2, top - 2, right + 2, bottom + 2, BORDER);
        fill(px, left, top, right, bottom, PANEL);
        int inner = right - left - 24;
        centred(px, fit(scene.desktop(), inner, 4), top + 20, 4, INK);
        String who = scene.user() != null ? "user: " + scene.user() : "free desktop";
        centred(px, fit(who, inner, 2), top + 75, 2, INK);
        centred(px, fit("vm: " + scene.vmId(), inner, 2), top + 115, 2, MUTED);
        centred(px, fit("host: " + scene.host(), inner, 2), top + 140, 2, MUTED);
        centred(px, fit("no operating system here: this is the sim hypervisor's console", inner, 1), top + 185, 1, MUTED);
        fill(px, 0, TASKBAR_TOP, WIDTH, HEIGHT, BAR);
        text(px, "Start", 10, TASKBAR_TOP + 6, 2, LIGHT);
        String clock = LocalTime.ofSecondOfDay(Math.floorMod(scene.epochSecond(), 86_400L)) + " UTC";
        text(px, clock, WIDTH - 10 - BitmapFont.width(clock, 2), TASKBAR_TOP + 6, 2, LIGHT);
        return px;
    }

    /** {@code text} shortened with "..." so that it fits {@code width} pixels at {@code scale}. */
    static String fit(String text, int width, int scale) {
        String t = text == null ? "" : text;
        int max = width / (BitmapFont.CELL_WIDTH * scale);
        return t.length() <= max ? t : t.substring(0, Math.max(0, max - 3)) + "...";
    }

    private static void centred(int[] px, String text, int y, int scale, int color) {
        text(px, text, (WIDTH - BitmapFont.width(text, scale)) / 2, y, scale, color);
    }

    static void text(int[] px, String text, int x, int y, int scale, int color) {
        for (int i = 0; i < text.length(); i++) {
            int cx = x + i * BitmapFont.CELL_WIDTH * scale;
            for (int gx = 0; gx < BitmapFont.GLYPH_WIDTH; gx++) {
                for (int gy = 0; gy < BitmapFont.GLYPH_HEIGHT; gy++) {
                    if (BitmapFont.pixel(text.charAt(i), gx, gy)) {
                        fill(px, cx + gx * scale, y + gy * scale, cx + (gx + 1) * scale, y + (gy + 1) * scale, color);
                    }
                }
            }
        }
    }

    /** Fills [x0, x1) x [y0, y1), clipped to the screen. */
    private static void fill(int[] px, int x0, int y0, int x1, int y1, int color) {
        int left = Math.max(0, x0);
        int right = Math.min(WIDTH, x1);
        if (left >= right) {
            return;
        }
        for (int y = Math.max(0, y0); y < Math.min(HEIGHT, y1); y++) {
            Arrays.fill(px, y * WIDTH + left, y * WIDTH + right, color);
        }
    }

    private static int blend(int a, int b, int step, int steps) {
        int r = mix(a >> 16 & 0xFF, b >> 16 & 0xFF, step, steps);
        int g = mix(a >> 8 & 0xFF, b >> 8 & 0xFF, step, steps);
        int bl = mix(a & 0xFF, b & 0xFF, step, steps);
        return r << 16 | g << 8 | bl;
    }

    private static int mix(int a, int b, int step, int steps) {
        return a + (b - a) * step / steps;
    }
}
