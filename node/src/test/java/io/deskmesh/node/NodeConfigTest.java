package io.deskmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hypervisor options of a node: defaults, refusals with what to do, and the checks made before a grid is touched. */
class NodeConfigTest {
    @TempDir
    Path dir;

    private NodeConfig config(String driver, String uri, String type) {
        return new NodeConfig("node1", dir.resolve("d"), "127.0.0.1:8080", "127.0.0.1:9080", null, null, driver, "",
                null, Duration.ofSeconds(5), null, uri, type);
    }

    @Test
    void libvirtDefaultsToTheLocalSystemInstanceAndAutomaticDomainType() {
        NodeConfig c = config("libvirt", null, null);
        assertThat(c.libvirtUri()).isEqualTo("qemu:///system");
        assertThat(c.domainType()).isEqualTo("auto");
        assertThat(config("libvirt", "test:///default", "qemu").domainType()).isEqualTo("qemu");
        assertThat(c.toString()).contains("libvirtUri=qemu:///system");
    }

    @Test
    void badHypervisorOptionsAreRefusedSayingWhatToDo() {
        assertThatThrownBy(() -> config("libvirt", "qemu+ssh://other/system", null))
                .hasMessageContaining("names another machine ('other')").hasMessageContaining("run the node on that machine");
        assertThatThrownBy(() -> config("libvirt", "system", null)).hasMessageContaining("not a libvirt URI");
        assertThatThrownBy(() -> config("libvirt", "qemu:// /x", null)).hasMessageContaining("is not a URI");
        assertThatThrownBy(() -> config("libvirt", null, "xen")).hasMessageContaining("--domain-type 'xen' is not known");
        assertThatThrownBy(() -> config("sim", "qemu:///system", null))
                .hasMessageContaining("--libvirt-uri only applies to --driver libvirt");
        assertThatThrownBy(() -> config("sim", null, "kvm"))
                .hasMessageContaining("--domain-type only applies to --driver libvirt");
        assertThatThrownBy(() -> config("vmware", null, null)).hasMessageContaining("use 'sim' or 'libvirt'");
    }

    @Test
    void theAgentSilenceLimitDefaultsToTenSecondsAndMustLeaveRoomForMissedHeartbeats() {
        assertThat(config("sim", null, null).agentSilence()).isEqualTo(Duration.ofSeconds(10));
        assertThat(silence(Duration.ofSeconds(5)).agentSilence()).isEqualTo(Duration.ofSeconds(5));
        assertThat(silence(Duration.ofSeconds(3600)).agentSilence()).isEqualTo(Duration.ofHours(1));
        assertThat(silence(Duration.ofSeconds(30)).withAdminPassword("password-1").agentSilence())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(silence(Duration.ofSeconds(30)).toString()).contains("agentSilence=PT30S");
        assertThatThrownBy(() -> silence(Duration.ofSeconds(4)))
                .hasMessageContaining("--agent-silence-seconds 4 is out of range").hasMessageContaining("5 to 3600");
        assertThatThrownBy(() -> silence(Duration.ofSeconds(3601))).hasMessageContaining("3601");
        assertThatThrownBy(() -> silence(Duration.ofSeconds(-1))).hasMessageContaining("-1");
    }

    private NodeConfig silence(Duration limit) {
        return new NodeConfig("node1", dir.resolve("d"), "127.0.0.1:8080", "127.0.0.1:9080", null, null, "sim", "",
                null, Duration.ofSeconds(5), null, null, null, limit);
    }

    @Test
    void theConsolePortIsOffByDefaultHttpPlus100ForTheCommandAndRefusedWhenItCannotWork() {
        NodeConfig c = config("sim", null, null);
        assertThat(c.consolePort()).as("off unless asked for").isZero();
        assertThat(NodeConfig.defaultConsolePort(c.http())).isEqualTo(8180);
        assertThat(c.withConsolePort(8180).withAdminPassword("admin-password").consolePort()).isEqualTo(8180);
        assertThatThrownBy(() -> c.withConsolePort(70_000)).hasMessageContaining("--console-port 70000 is outside 0..65535");
        assertThatThrownBy(() -> c.withConsolePort(8080)).hasMessageContaining("is already the HTTP port");
        assertThatThrownBy(() -> c.withConsolePort(9080)).hasMessageContaining("is already the Raft port");
    }

    @Test
    void domainPrefixesCarryTheServerNameAndStayShort() {
        assertThat(HypervisorSetup.domainPrefix("node1")).isEqualTo("dm-node1-");
        String longName = "a".repeat(40);
        assertThat(HypervisorSetup.domainPrefix(longName)).hasSize(3 + 16 + 1).startsWith("dm-")
                .isEqualTo(HypervisorSetup.domainPrefix(longName)).isNotEqualTo(HypervisorSetup.domainPrefix(longName + "b"));
    }

    @Test
    void qemuMustBeAbleToTraverseTheDataDirectory() throws Exception {
        Path closed = Files.createDirectories(dir.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> HypervisorSetup.openForQemu(closed.resolve("data")))
                .hasMessageContaining("chmod o+x " + closed);

        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path open = Files.createDirectories(dir.resolve("open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx--x--x")));
        Path data = Files.createDirectories(open.resolve("data"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        HypervisorSetup.openForQemu(data);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx-----x");
    }
}
