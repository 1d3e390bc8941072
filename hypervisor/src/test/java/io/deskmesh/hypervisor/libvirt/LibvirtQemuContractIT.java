package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.HypervisorDriverContract;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the shared driver contract against a real {@code qemu:///system} with TCG guests
 * ({@code <domain type='qemu'>}), plus what only a real host can show: a VNC console that
 * answers with an RFB banner, a SPICE console that answers a link request, the agent's unix
 * socket, and a guest that ignores the power button being forced off.
 *
 * <p>The base image is an empty 64 MiB qcow2: the guest boots to "no bootable device", which is
 * enough for define, start, console, shutdown and delete. Such a guest never honours ACPI, so the
 * driver's shutdown grace is capped at one second to keep the suite short. Needs libvirtd (see
 * {@code .ci/run}); without it every test fails with the reason.
 */
class LibvirtQemuContractIT extends HypervisorDriverContract {
    private static final String RFB_BANNER = "RFB 003\\.00[0-9]\n";
    /**
     * Domain prefix of this run: the process id keeps two runs on one host (two checkouts, or a
     * build started while another runs) from defining, destroying or deleting each other's VMs.
     */
    private static final String PREFIX = "deskmesh-it" + ProcessHandle.current().pid() + "-";

    @BeforeEach
    void libvirtdIsRunning() {
        LibvirtAvailability.require(LibvirtAvailability.systemDaemonProblem());
    }

    @Override
    protected HypervisorDriver newDriver(Path workDir) {
        // QEMU runs as its own user (libvirt-qemu on Debian): it must traverse the test's directory.
        try {
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LibvirtDriver(LibvirtConfig.builder()
                .uri(LibvirtConfig.QEMU_SYSTEM)
                .storageDir(workDir.resolve("storage"))
                .domainPrefix(PREFIX)
                .maxShutdownGrace(Duration.ofSeconds(1))
                .build());
    }

    @Override
    protected Path baseImage(Path workDir) {
        Path base = workDir.resolve("base.qcow2");
        if (!LibvirtAvailability.hasQemuImg()) {
            return base;  // libvirtdIsRunning() then fails the test, naming qemu-img
        }
        try {
            Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "64M")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("qemu-img could not create " + base + ": " + out);
            }
            return base;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Duration startTimeout() {
        return Duration.ofSeconds(30);
    }

    @Test
    void theVncConsoleAnswersWithAnRfbBanner() throws Exception {
        VmSpec spec = spec("rfb");
        driver.define(spec);
        driver.start(spec.vmId());
        ConsoleAddress console = driver.console(spec.vmId()).orElseThrow();
        assertThat(console.protocol()).isEqualTo(ConsoleProtocol.VNC);
        assertThat(console.host()).isEqualTo("127.0.0.1");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(console.host(), console.port()), 10_000);
            socket.setSoTimeout(10_000);
            assertThat(readBanner(socket.getInputStream())).matches(RFB_BANNER);
        }
    }

    @Test
    void theSpiceConsoleAnswersASpiceLinkRequest() throws Exception {
        VmSpec plain = spec("spice");
        VmSpec spec = new VmSpec(plain.vmId(), plain.name(), 1, 256, base, null, plain.mac(), network(),
                ConsoleProtocol.SPICE);
        driver.define(spec);
        driver.start(spec.vmId());
        ConsoleAddress console = driver.console(spec.vmId()).orElseThrow();
        assertThat(console.protocol()).isEqualTo(ConsoleProtocol.SPICE);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(console.host(), console.port()), 10_000);
            socket.setSoTimeout(10_000);
            // SpiceLinkHeader (magic, version 2.2, size) + SpiceLinkMess for the main channel, no caps
            ByteBuffer link = ByteBuffer.allocate(16 + 18).order(ByteOrder.LITTLE_ENDIAN);
            link.put("REDQ".getBytes(StandardCharsets.US_ASCII)).putInt(2).putInt(2).putInt(18);
            link.putInt(0).put((byte) 1).put((byte) 0).putInt(0).putInt(0).putInt(18);
            socket.getOutputStream().write(link.array());
            byte[] reply = socket.getInputStream().readNBytes(4);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("REDQ");
        }
    }

    @Test
    void aGuestThatIgnoresThePowerButtonIsForcedOffAfterTheGrace() throws Exception {
        VmSpec spec = spec("force");
        driver.define(spec);
        driver.start(spec.vmId());
        assertThat(awaitRunning(spec.vmId()).state()).isEqualTo(VmPowerState.RUNNING);
        driver.shutdown(spec.vmId(), Duration.ofMillis(300));
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> assertThat(s.state())
                .isEqualTo(VmPowerState.STOPPED));
        assertThat(driver.console(spec.vmId())).isEmpty();
    }

    @Test
    void theAgentChannelIsAUnixSocketInTheStorageDirectoryWhileTheVmRuns() throws Exception {
        VmSpec spec = spec("agent");
        driver.define(spec);
        LibvirtDriver libvirt = (LibvirtDriver) driver;
        Path socket = libvirt.agentSocket(spec.vmId()).orElseThrow();
        assertThat(socket.getParent().getParent()).isEqualTo(workDir.resolve("storage"));
        driver.start(spec.vmId());
        assertThat(Files.exists(socket)).as("QEMU listens on %s", socket).isTrue();
    }

    private static String readBanner(InputStream in) throws IOException {
        byte[] banner = in.readNBytes(12);
        return new String(banner, StandardCharsets.US_ASCII);
    }
}
