package io.deskmesh.node.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The DeskMesh tiny guest: a bootable busybox qcow2 with the reference desktop agent, built (and
 * cached) by {@code scripts/build-tiny-guest.sh} from the source tree this code runs from. Used by
 * {@code deskmesh demo --driver libvirt} and the real-QEMU tests. Stateless and thread-safe.
 */
public final class TinyGuest {
    public static final String SCRIPT = "scripts/build-tiny-guest.sh";
    private static final long BUILD_TIMEOUT_SECONDS = 300;

    private TinyGuest() {
    }

    /** Builds the guest unless its cached copy is current; returns the qcow2's path. */
    public static Path build() throws IOException, InterruptedException {
        Path script = script().orElseThrow(() -> new IllegalStateException("cannot find " + SCRIPT + " above "
                + Path.of("").toAbsolutePath() + " or the DeskMesh jar; run from a DeskMesh source tree"));
        Path log = Files.createTempFile("deskmesh-tiny-guest-", ".log");
        try {
            Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(SCRIPT + " did not finish within " + BUILD_TIMEOUT_SECONDS + " s");
            }
            List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException(SCRIPT + " failed (exit " + p.exitValue() + "):\n" + String.join("\n", out));
            }
            Path image = Path.of(out.get(out.size() - 1).strip());
            if (!Files.isRegularFile(image)) {
                throw new IllegalStateException(SCRIPT + " reported " + image + ", which is not a file");
            }
            return image;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The build script, searched upwards from the working directory and from where this class was loaded. */
    static Optional<Path> script() {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(TinyGuest.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code source: the working directory alone
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(SCRIPT);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
