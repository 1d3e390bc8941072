package io.deskmesh.hypervisor.libvirt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Creates qcow2 overlays by running {@code qemu-img create -f qcow2 -F qcow2 -b BASE OVERLAY};
 * immutable and thread-safe (each call runs its own process).
 */
public final class QemuImgOverlays implements OverlayMaker {
    private static final int MAX_OUTPUT = 2_000;

    private final String qemuImg;
    private final Duration timeout;

    /** Runs {@code qemu-img} from the PATH with a 60 s limit. */
    public QemuImgOverlays() {
        this("qemu-img", Duration.ofSeconds(60));
    }

    /**
     * @param qemuImg the program to run, a name on the PATH or an absolute path
     * @param timeout how long one {@code create} may take before it is killed
     */
    public QemuImgOverlays(String qemuImg, Duration timeout) {
        this.qemuImg = Objects.requireNonNull(qemuImg, "qemuImg");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void create(Path base, Path overlay) throws OverlayException {
        List<String> command = List.of(qemuImg, "create", "-q", "-f", "qcow2", "-F", "qcow2",
                "-b", base.toAbsolutePath().toString(), overlay.toAbsolutePath().toString());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new OverlayException("cannot run '" + qemuImg + "' to create overlay " + overlay + " on base image "
                    + base + " (" + e.getMessage() + "); install qemu-img (Debian: apt-get install qemu-utils)", e);
        }
        try {
            process.getOutputStream().close();
            String output = readBounded(process.getInputStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new OverlayException("'" + qemuImg + "' did not create overlay " + overlay + " within "
                        + timeout + "; check that base image " + base + " and its disk are healthy");
            }
            if (process.exitValue() != 0) {
                String said = output.isBlank() ? "" : ": " + output.strip();
                throw new OverlayException("'" + String.join(" ", command) + "' failed with exit "
                        + process.exitValue() + said + "; check that the base image is a readable qcow2 file");
            }
        } catch (OverlayException e) {
            throw e;
        } catch (IOException e) {
            process.destroyForcibly();
            throw new OverlayException("lost the output of '" + qemuImg + "' while creating overlay " + overlay, e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new OverlayException("interrupted while '" + qemuImg + "' created overlay " + overlay, e);
        }
    }

    /** Reads the process's output to its end, keeping at most the first {@link #MAX_OUTPUT} bytes. */
    private static String readBounded(InputStream in) throws IOException {
        byte[] kept = new byte[MAX_OUTPUT];
        int used = 0;
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            int take = Math.min(n, MAX_OUTPUT - used);
            System.arraycopy(buffer, 0, kept, used, take);
            used += take;
        }
        return new String(kept, 0, used, StandardCharsets.UTF_8);
    }
}
