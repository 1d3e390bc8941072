package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error paths of {@link QemuImgOverlays}; real overlays are made in {@link LibvirtQemuContractIT}. */
class QemuImgOverlaysTest {
    @TempDir
    Path dir;

    @Test
    void aMissingQemuImgSaysWhatToInstall() {
        QemuImgOverlays overlays = new QemuImgOverlays(dir.resolve("no-qemu-img").toString(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> overlays.create(dir.resolve("base.qcow2"), dir.resolve("vm.qcow2")))
                .isInstanceOf(OverlayMaker.OverlayException.class)
                .hasMessageContaining("no-qemu-img")
                .hasMessageContaining("apt-get install qemu-utils");
    }

    @Test
    void aFailingQemuImgReportsItsCommandAndExitStatus() {
        QemuImgOverlays overlays = new QemuImgOverlays("/bin/false", Duration.ofSeconds(5));
        assertThatThrownBy(() -> overlays.create(dir.resolve("base.qcow2"), dir.resolve("vm.qcow2")))
                .isInstanceOf(OverlayMaker.OverlayException.class)
                .hasMessageContaining("-F qcow2 -b " + dir.resolve("base.qcow2"))
                .hasMessageContaining("exit 1");
    }
}
