package io.deskmesh.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Real qcow2 disks for tests, made with {@code qemu-img} and changed with {@code qemu-io} the way a
 * VM changes its disk (clusters rewritten in place). Fails, never skips, when the tools are missing.
 */
final class Qcow2Disks {
    static final int CLUSTER = 64 * 1024;

    private Qcow2Disks() {
    }

    /** A qcow2 of {@code sizeBytes} of seeded pseudo-random guest data, every cluster allocated. */
    static Path create(Path dir, String name, long sizeBytes, long seed) throws IOException {
        Path raw = dir.resolve(name + ".raw");
        byte[] buf = new byte[1 << 20];
        Random random = new Random(seed);
        try (var out = Files.newOutputStream(raw)) {
            for (long left = sizeBytes; left > 0; left -= buf.length) {
                random.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
        Path qcow2 = dir.resolve(name + ".qcow2");
        DiskFormat.run(List.of(DiskFormat.qemuImg(), "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                qcow2.toString()), 120, "making a test qcow2");
        Files.delete(raw);
        return qcow2;
    }

    /** A copy of {@code base} with {@code clusters} guest clusters, spread evenly, overwritten by a VM-like write. */
    static Path changed(Path base, Path copy, long guestSize, int clusters) throws IOException {
        Files.copy(base, copy);
        long stride = guestSize / CLUSTER / clusters * CLUSTER;
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < clusters; i++) {
            DiskFormat.run(List.of("qemu-io", "-f", "qcow2", "-c", "write -P " + (0x11 + i % 200) + " " + (i * stride)
                    + " " + CLUSTER, copy.toString()), 60, "changing a test qcow2");
        }
        return copy;
    }
}
