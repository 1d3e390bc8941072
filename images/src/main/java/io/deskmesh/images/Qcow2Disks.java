package io.deskmesh.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Real qcow2 disks for tests and benchmarks, made with {@code qemu-img} and changed with
 * {@code qemu-io} the way a VM changes its disk (clusters rewritten in place). Throws
 * {@link ImageFormatException}, never skips, when the tools are missing. Stateless and thread-safe.
 */
public final class Qcow2Disks {
    /** qcow2's default cluster size. */
    public static final int CLUSTER = 64 * 1024;

    private static final String QEMU_IO = System.getProperty("deskmesh.qemu-io", "qemu-io");

    private Qcow2Disks() {
    }

    /** A qcow2 of {@code sizeBytes} of seeded pseudo-random guest data, every cluster allocated. */
    public static Path create(Path dir, String name, long sizeBytes, long seed) throws IOException {
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
    public static Path changed(Path base, Path copy, long guestSize, int clusters) throws IOException {
        Files.copy(base, copy);
        long stride = guestSize / CLUSTER / clusters * CLUSTER;
        List<String> command = new java.util.ArrayList<>(List.of(QEMU_IO, "-f", "qcow2"));
        for (int i = 0; i < clusters; i++) {
            command.add("-c");
            command.add("write -P " + (0x11 + i % 200) + " " + (i * stride) + " " + CLUSTER);
        }
        command.add(copy.toString());
        DiskFormat.run(command, 600, "changing a test qcow2");
        return copy;
    }
}
