package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deskmesh.hypervisor.BaseImageRefusedException;
import io.deskmesh.hypervisor.MacAddress;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The libvirt driver's base image customizer on a real {@code qemu:///system} with disks made by
 * the real {@code qemu-img}: a landed version becomes a volume of the node's storage pool that a
 * VM boots from, a disk libvirt reads as an overlay (or as raw) is refused and leaves nothing
 * behind, and {@code forget} takes the volume away. Needs libvirtd (see {@code .ci/run}).
 */
class LibvirtBaseImagesIT {
    private static final String PREFIX = "dm-bi" + ProcessHandle.current().pid() + "-";

    @TempDir
    Path tmp;
    private LibvirtDriver driver;
    private LibvirtBaseImages images;
    private final List<String> vms = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        LibvirtAvailability.require(LibvirtAvailability.systemDaemonProblem());
        // QEMU runs as its own user: it must traverse the test's directory.
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        driver = new LibvirtDriver(LibvirtConfig.builder().uri(LibvirtConfig.QEMU_SYSTEM)
                .storageDir(tmp.resolve("vms")).domainPrefix(PREFIX).build());
        images = driver.baseImages();
    }

    @AfterEach
    void tearDown() throws LibvirtException {
        if (driver == null) {
            return;
        }
        for (String vm : vms) {
            driver.destroy(vm);
            driver.delete(vm);
        }
        driver.close();
        Connect c = new Connect(LibvirtConfig.QEMU_SYSTEM.toString());
        try {
            if (Arrays.asList(c.listStoragePools()).contains(images.poolName())) {
                c.storagePoolLookupByName(images.poolName()).destroy();
            }
            if (Arrays.asList(c.listDefinedStoragePools()).contains(images.poolName())) {
                c.storagePoolLookupByName(images.poolName()).undefine();
            }
        } finally {
            c.close();
        }
    }

    @Test
    void aLandedVersionBecomesAVolumeOfTheNodesPoolThatAVmBootsFrom() throws Exception {
        Path disk = landed("desk", 1, "create", "-f", "qcow2", "%s", "64M");
        Path descriptors = Files.createDirectories(disk.resolveSibling("local"));

        images.customize("desk", 1, disk, descriptors);

        Path base = images.basePath("desk", 1, disk);
        assertThat(base.getParent()).isEqualTo(tmp.resolve("vms").resolve("base"));
        assertThat(Files.isSameFile(base, disk)).as("a hard link to the verified disk, not a copy").isTrue();
        assertThat(volumes()).containsExactly("desk@1.qcow2");
        String descriptor = Files.readString(descriptors.resolve(LibvirtBaseImages.DESCRIPTOR));
        assertThat(descriptor).contains("<path>" + base + "</path>").contains("<format type='qcow2'/>")
                .contains("<capacity unit='bytes'>67108864</capacity>").doesNotContain("backingStore><path");

        images.customize("desk", 1, disk, descriptors);
        assertThat(volumes()).containsExactly("desk@1.qcow2");

        VmSpec spec = new VmSpec("bi1", "bi1", 1, 128, base, null, MacAddress.parse("52:54:00:7e:00:01"),
                "default", io.deskmesh.hypervisor.ConsoleProtocol.VNC);
        vms.add(spec.vmId());
        driver.define(spec);
        driver.start(spec.vmId());
        assertThat(driver.status(spec.vmId())).hasValueSatisfying(s -> assertThat(s.state())
                .isIn(VmPowerState.STARTING, VmPowerState.RUNNING));
        assertThat(qemuImg("info", "-U", tmp.resolve("vms").resolve("bi1.qcow2").toString()))
                .contains("backing file: " + base);
    }

    @Test
    void aDiskLibvirtReadsAsAnOverlayOnAnotherMachinesPathIsRefusedAndLeavesNothing() throws Exception {
        Path parent = landed("desk", 1, "create", "-f", "qcow2", "%s", "64M");
        Path overlay = landed("desk", 2, "create", "-f", "qcow2", "-F", "qcow2", "-b", parent.toString(), "%s");
        Path descriptors = Files.createDirectories(overlay.resolveSibling("local"));

        assertThatThrownBy(() -> images.customize("desk", 2, overlay, descriptors))
                .isInstanceOf(BaseImageRefusedException.class)
                .hasMessageContaining("desk@2")
                .hasMessageContaining("backing file " + parent)
                .hasMessageContaining("qemu-img convert -O qcow2");

        assertThat(volumes()).isEmpty();
        assertThat(Files.exists(images.basePath("desk", 2, overlay))).isFalse();
        assertThat(descriptors.resolve(LibvirtBaseImages.DESCRIPTOR)).doesNotExist();
    }

    @Test
    void aRawDiskIsRefused() throws Exception {
        Path raw = landed("desk", 1, "create", "-f", "raw", "%s", "16M");

        assertThatThrownBy(() -> images.customize("desk", 1, raw, raw.getParent()))
                .isInstanceOf(BaseImageRefusedException.class).hasMessageContaining("a raw disk, not qcow2");
        assertThat(volumes()).isEmpty();
    }

    @Test
    void forgettingAVersionTakesItsVolumeAwayAndAPoolOverAnotherDirectoryIsReplaced() throws Exception {
        Path one = landed("desk", 1, "create", "-f", "qcow2", "%s", "64M");
        Path two = landed("desk", 2, "create", "-f", "qcow2", "%s", "64M");
        images.customize("desk", 1, one, one.getParent());
        images.customize("desk", 2, two, two.getParent());
        assertThat(volumes()).containsExactlyInAnyOrder("desk@1.qcow2", "desk@2.qcow2");

        images.forget("desk", 1);
        images.forget("desk", 1);

        assertThat(volumes()).containsExactly("desk@2.qcow2");
        assertThat(Files.exists(one)).as("the store's disk is the store's to delete").isTrue();

        // A node of the same name, started on another --data: its pool moves there.
        LibvirtDriver moved = new LibvirtDriver(LibvirtConfig.builder().uri(LibvirtConfig.QEMU_SYSTEM)
                .storageDir(tmp.resolve("elsewhere")).domainPrefix(PREFIX).build());
        try {
            moved.baseImages().customize("desk", 1, one, one.getParent());
        } finally {
            moved.close();
        }
        assertThat(volumes()).containsExactly("desk@1.qcow2");
        assertThat(poolXml()).contains("<path>" + tmp.resolve("elsewhere").resolve("base") + "</path>");
    }

    /** Prints what one customization costs (not an assertion: timings belong in benchmarks). */
    @Test
    void reportsTheCostOfACustomization() throws Exception {
        int rounds = 10;
        long[] micros = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            Path disk = landed("cost", i + 1, "create", "-f", "qcow2", "%s", "1G");
            long started = System.nanoTime();
            images.customize("cost", i + 1, disk, disk.getParent());
            micros[i] = (System.nanoTime() - started) / 1_000;
        }
        assertThat(volumes()).hasSize(rounds);
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        System.out.println("FIGURE base image customization on qemu:///system (link, pool refresh, probe, descriptor):"
                + " median " + sorted[rounds / 2] / 1000.0 + " ms, max " + sorted[rounds - 1] / 1000.0 + " ms over "
                + rounds + " versions (the pool holding 1.." + rounds + " volumes)");
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** A disk at {@code <tmp>/images/<image>/<version>/disk.qcow2}, made by qemu-img ({@code %s} is the file). */
    private Path landed(String image, int version, String... qemuImgArgs) throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("images").resolve(image).resolve(Integer.toString(version)))
                .resolve("disk.qcow2");
        String[] args = qemuImgArgs.clone();
        for (int i = 0; i < args.length; i++) {
            args[i] = args[i].equals("%s") ? disk.toString() : args[i];
        }
        qemuImg(args);
        return disk;
    }

    private static String qemuImg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-img"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }

    private List<String> volumes() throws LibvirtException {
        Connect c = new Connect(LibvirtConfig.QEMU_SYSTEM.toString());
        try {
            StoragePool pool = c.storagePoolLookupByName(images.poolName());
            pool.refresh(0);
            return List.of(pool.listVolumes());
        } finally {
            c.close();
        }
    }

    private String poolXml() throws LibvirtException {
        Connect c = new Connect(LibvirtConfig.QEMU_SYSTEM.toString());
        try {
            return c.storagePoolLookupByName(images.poolName()).getXMLDesc(0);
        } finally {
            c.close();
        }
    }
}
