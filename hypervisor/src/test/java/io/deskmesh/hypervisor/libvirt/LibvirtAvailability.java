package io.deskmesh.hypervisor.libvirt;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * Decides whether the libvirt tests can run here, probing each URI once per JVM; thread-safe
 * (a racing second probe only repeats the work).
 *
 * <p>No test is skipped: a missing libvirt fails each test with the reason and what to install or
 * start (as the node's real-QEMU tests and the browser tests do without their prerequisites).
 */
final class LibvirtAvailability {
    static final Path SYSTEM_SOCKET = Path.of("/run/libvirt/libvirt-sock");

    private LibvirtAvailability() {
    }

    /** Whether qemu-img can be run from the PATH. */
    static boolean hasQemuImg() {
        return onPath("qemu-img");
    }

    /** Fails unless {@code problem} is empty. Call it from each test (a {@code @BeforeEach}). */
    static void require(Optional<String> problem) {
        problem.ifPresent(p -> fail(p + " (the libvirt driver's contract runs on real libvirt; .ci/run shows the set-up)"));
    }

    private static volatile Optional<String> testDriverProblem;
    private static volatile Optional<String> systemDaemonProblem;

    /** Why libvirt's in-process test hypervisor cannot be opened, if it cannot; checked once per JVM. */
    static Optional<String> testDriverProblem() {
        Optional<String> known = testDriverProblem;
        if (known == null) {
            known = probeTestDriver();
            testDriverProblem = known;
        }
        return known;
    }

    /** Why qemu:///system cannot be used for real VMs, if it cannot; checked once per JVM. */
    static Optional<String> systemDaemonProblem() {
        Optional<String> known = systemDaemonProblem;
        if (known == null) {
            known = probeSystemDaemon();
            systemDaemonProblem = known;
        }
        return known;
    }

    private static Optional<String> probeTestDriver() {
        return openProblem(LibvirtConfig.TEST_DEFAULT.toString(), "install libvirt's client library (apt-get install libvirt0)");
    }

    private static Optional<String> probeSystemDaemon() {
        if (!Files.exists(SYSTEM_SOCKET)) {
            return Optional.of("libvirtd is not running (no " + SYSTEM_SOCKET + "); start virtlogd and libvirtd"
                    + " (.ci/run does) to run the qemu:///system contract");
        }
        if (!hasQemuImg()) {
            return Optional.of("qemu-img is not installed (apt-get install qemu-utils)");
        }
        return openProblem(LibvirtConfig.QEMU_SYSTEM.toString(), "check that libvirtd answers: virsh -c qemu:///system version");
    }

    private static Optional<String> openProblem(String uri, String remedy) {
        try {
            Connect connect = new Connect(uri, false);
            try {
                connect.getVersion();
            } finally {
                connect.close();
            }
            return Optional.empty();
        } catch (LibvirtException e) {
            return Optional.of("cannot open " + uri + ": " + LibvirtErrors.message(e) + "; " + remedy);
        } catch (LinkageError e) {
            return Optional.of("cannot load libvirt for " + uri + ": " + e + "; " + remedy);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
