package io.deskmesh.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The disk formats an import accepts, and the {@code qemu-img} calls that check and convert them.
 * Stored disks are always qcow2 without a backing file: a backing file would make the hypervisor
 * read a path of the uploader's choosing. Thread-safe (stateless).
 *
 * <p>{@code qemu-img} is found on the {@code PATH}, or at the path in the system property
 * {@code deskmesh.qemu-img}. It is always called with an explicit {@code -f}, so a crafted file
 * cannot make it probe another format.
 */
public enum DiskFormat {
    QCOW2, RAW;

    /** The first four bytes of every qcow2 file: "QFI\xfb". */
    static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long INFO_SECONDS = 60;
    private static final long CONVERT_SECONDS = 3600;
    private static final Executor VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();

    /** {@code qcow2} or {@code raw}; anything else is refused with the accepted names. */
    public static DiskFormat parse(String name) {
        String n = name == null ? "qcow2" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "qcow2" -> QCOW2;
            case "raw", "img" -> RAW;
            default -> throw new IllegalArgumentException("disk format '" + name + "' is not supported; use qcow2 or"
                    + " raw (convert others with 'qemu-img convert -O qcow2 IN OUT')");
        };
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a file's first bytes are the qcow2 magic. */
    public static boolean hasQcow2Magic(byte[] head) {
        return head.length >= QCOW2_MAGIC.length && Arrays.equals(head, 0, QCOW2_MAGIC.length, QCOW2_MAGIC, 0,
                QCOW2_MAGIC.length);
    }

    /** The qemu-img executable this process uses. */
    public static String qemuImg() {
        return System.getProperty("deskmesh.qemu-img", "qemu-img");
    }

    /**
     * Checks that a received file is a qcow2 disk {@code qemu-img} can open and that it has no
     * backing file.
     *
     * @param what how to name the file in messages, e.g. {@code "the upload of win11@3"}
     * @throws ImageFormatException if not
     */
    public static void checkQcow2(Path disk, String what) {
        JsonNode info = info(disk, QCOW2, what);
        String format = info.path("format").asText("");
        if (!format.equals("qcow2")) {
            throw new ImageFormatException(what + " is " + format + ", not qcow2");
        }
        if (info.hasNonNull("backing-filename") || info.hasNonNull("full-backing-filename")) {
            throw new ImageFormatException(what + " is a qcow2 overlay on '" + info.path("backing-filename").asText()
                    + "'; import a standalone disk: 'qemu-img convert -O qcow2 OVERLAY FLAT.qcow2' first");
        }
    }

    /** The disk's virtual size in bytes, as {@code qemu-img info} reports it. */
    public static long virtualSize(Path disk, DiskFormat format) {
        return info(disk, format, disk.toString()).path("virtual-size").asLong(-1);
    }

    /** Converts a raw disk into a new qcow2 file (which must not exist). */
    public static void convertRawToQcow2(Path raw, Path qcow2, String what) {
        run(List.of(qemuImg(), "convert", "-q", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString()),
                CONVERT_SECONDS, what + " could not be converted from raw to qcow2");
    }

    private static JsonNode info(Path disk, DiskFormat format, String what) {
        String out = run(List.of(qemuImg(), "info", "--output=json", "-f", format.lowerName(), disk.toString()),
                INFO_SECONDS, what + " is not a " + format.lowerName() + " disk qemu-img can open");
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new ImageFormatException("qemu-img info said something other than JSON about " + what + ": "
                    + clip(out), e);
        }
    }

    /** Runs a command; returns its standard output, or throws with {@code failure} and its error text. */
    static String run(List<String> command, long timeoutSeconds, String failure) {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(command)).start();
        } catch (IOException e) {
            throw new ImageFormatException(failure + ": cannot run '" + command.get(0) + "' (" + e.getMessage()
                    + "); install qemu-utils (apt-get install qemu-utils) or set -Ddeskmesh.qemu-img=PATH", e, true);
        }
        // Both pipes are read at once so that neither can fill up and block qemu-img.
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()),
                VIRTUAL);
        try {
            String err = readAll(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageFormatException(failure + ": qemu-img took longer than " + timeoutSeconds + " s");
            }
            String out = stdout.join();
            if (p.exitValue() != 0) {
                throw new ImageFormatException(failure + ": " + clip(err.isBlank() ? out : err));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new ImageFormatException(failure + ": interrupted", e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String clip(String s) {
        String t = s.strip();
        return t.length() <= 400 ? t : t.substring(0, 400) + "...";
    }
}
