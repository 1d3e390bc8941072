package io.deskmesh.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuUserTest {
    @TempDir
    Path dir;

    @Test
    void theConfiguredUserWinsOverTheDistributionDefault() throws Exception {
        Path conf = Files.writeString(dir.resolve("qemu.conf"), "# user = \"nobody\"\nuser = \"kvmrunner\"\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nlibvirt-qemu:x:64055:107::/:/bin/false\n");
        assertThat(QemuUser.ofSystemInstance(conf, passwd)).contains("kvmrunner");
    }

    @Test
    void withoutASettingTheDistributionsAccountThatExists() throws Exception {
        Path conf = Files.writeString(dir.resolve("qemu.conf"), "#user = \"root\"\n");
        Path debian = Files.writeString(dir.resolve("debian"), "libvirt-qemu:x:64055:107::/:/bin/false\n");
        Path fedora = Files.writeString(dir.resolve("fedora"), "qemu:x:107:107::/:/sbin/nologin\n");
        Path neither = Files.writeString(dir.resolve("neither"), "root:x:0:0::/root:/bin/sh\n");
        assertThat(QemuUser.ofSystemInstance(conf, debian)).contains("libvirt-qemu");
        assertThat(QemuUser.ofSystemInstance(dir.resolve("absent"), fedora)).contains("qemu");
        assertThat(QemuUser.ofSystemInstance(conf, neither)).isEmpty();
    }
}
