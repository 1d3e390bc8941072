package io.deskmesh.hypervisor.sim.rfb;

/** A rectangle of the framebuffer, in pixels; may be empty. Immutable. */
record Rect(int x, int y, int width, int height) {
    boolean isEmpty() {
        return width <= 0 || height <= 0;
    }

    /** The smallest rectangle holding both (an empty one holds nothing). */
    Rect union(Rect o) {
        if (isEmpty()) {
            return o;
        }
        if (o.isEmpty()) {
            return this;
        }
        int x0 = Math.min(x, o.x);
        int y0 = Math.min(y, o.y);
        return new Rect(x0, y0, Math.max(x + width, o.x + o.width) - x0, Math.max(y + height, o.y + o.height) - y0);
    }

    /** This rectangle cut to a {@code w} x {@code h} screen. */
    Rect clip(int w, int h) {
        int x0 = Math.max(0, x);
        int y0 = Math.max(0, y);
        int x1 = Math.min(w, x + width);
        int y1 = Math.min(h, y + height);
        return new Rect(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
    }
}
