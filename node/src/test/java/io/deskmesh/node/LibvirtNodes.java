package io.deskmesh.node;

import io.deskmesh.images.ImageManifest;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Nodes on loopback with {@code --driver libvirt} on {@code qemu:///system} (TCG guests), for the
 * real-QEMU tests: starts them under one run-unique name prefix, imports the tiny guest, says which
 * VMs' agents are ready, and on close stops the nodes and destroys and undefines every domain and
 * storage pool of the run. Not thread-safe.
 */
final class LibvirtNodes implements AutoCloseable {
    static final ImageRef GUEST = new ImageRef("tiny-guest", 1);
    static final String HOW = "set libvirt up as .ci/run does: apt-get install -y libvirt-clients libvirt-daemon"
            + " libvirt-daemon-system libvirt-daemon-system-sysv qemu-system-x86 qemu-utils busybox-static cpio mtools"
            + " syslinux syslinux-common dosfstools; chgrp kvm /dev/kvm; chmod 0660 /dev/kvm; virtlogd -d; libvirtd -d"
            + " (or run 'bash .ci/run')";

    private final Path dir;
    private final String run = "it" + ProcessHandle.current().pid();
    private final List<Node> nodes = new ArrayList<>();

    /** @param dir a fresh directory; opened for traversal, as QEMU's account must reach the nodes' files */
    LibvirtNodes(Path dir) throws Exception {
        this.dir = dir;
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }

    /** Why qemu:///system cannot run real-QEMU tests here, or null. */
    static String problem() {
        if (!Files.exists(Path.of("/run/libvirt/libvirt-sock"))) {
            return "libvirtd is not running (no /run/libvirt/libvirt-sock); this test needs real QEMU: " + HOW;
        }
        try {
            Connect c = new Connect("qemu:///system", false);
            try {
                c.getVersion();
            } finally {
                c.close();
            }
            return null;
        } catch (Exception | LinkageError e) {
            return "cannot open qemu:///system (" + e.getMessage() + "); " + HOW;
        }
    }

    /** Node {@code i} (from 1): HTTP on {@code base + i - 1}, Raft on {@code base + 1000 + i - 1}. */
    Node start(int i, int base, String join, String token) throws Exception {
        NodeConfig config = new NodeConfig(run + "-n" + i, dir.resolve("node" + i), "127.0.0.1:" + (base + i - 1),
                "127.0.0.1:" + (base + 1000 + i - 1), join, token, "libvirt", "", null, Duration.ofSeconds(5),
                i == 1 ? "admin-password-1" : null, "qemu:///system", "qemu");
        Node node = Node.start(config);
        nodes.add(node);
        return node;
    }

    Path dataDir(int i) {
        return dir.resolve("node" + i);
    }

    /** Imports the tiny guest into the node's store and registers it (the HTTP import API is ImageApiIT's). */
    static ImageManifest importGuest(Node node, Path guest) throws Exception {
        ImageManifest imported = node.imageStore().importFile(guest, GUEST, 0, "tiny");
        ok(node, new RegisterImageVersionCommand(GUEST.image(), GUEST.version(), imported.sizeBytes(), imported.sha256(),
                0, node.name()));
        return imported;
    }

    static void ok(Node node, MeshCommand command) throws Exception {
        Reply r = node.execute(command);
        if (r instanceof Reply.Failed f) {
            throw new AssertionError(command + " refused: " + f.message());
        }
    }

    /** VMs of the grid that are running and whose agent spoke to their host. */
    Set<String> readyVms() {
        Set<String> ready = new TreeSet<>();
        for (Node n : nodes) {
            for (String vm : n.agents().readyVms()) {
                if (n.image().vms().get(vm).map(v -> v.state() == VmState.RUNNING && n.name().equals(v.server()))
                        .orElse(false)) {
                    ready.add(vm);
                }
            }
        }
        return ready;
    }

    Node hosting(String vm) {
        String server = nodes.get(0).image().vms().get(vm).orElseThrow().server();
        return nodes.stream().filter(n -> n.name().equals(server)).findFirst().orElseThrow();
    }

    /** Polls the condition until it holds; fails naming it and showing the grid when the deadline passes. */
    void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toSeconds() + " s: " + what + "; " + describe());
            }
            Thread.sleep(250);
        }
    }

    /** The grid's VMs and agents, for failure messages. */
    String describe() {
        if (nodes.isEmpty()) {
            return "no nodes";
        }
        StringBuilder b = new StringBuilder("VMs:");
        for (VmImage vm : nodes.get(0).image().vms().all()) {
            b.append(' ').append(vm.vmId()).append('@').append(vm.server()).append('=').append(vm.state());
            if (!vm.reason().isEmpty()) {
                b.append("(").append(vm.reason()).append(")");
            }
        }
        for (Node n : nodes) {
            b.append("; agents ready on ").append(n.name()).append(": ").append(n.agents().readyVms())
                    .append(", host VMs: ").append(n.driver().list().stream().map(s -> s.vmId() + "=" + s.state()).toList());
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        nodes.clear();
        removeDomains("dm-" + run + "-");
        removePools("dm-" + run + "-");
    }

    /** The nodes' base image storage pools (see LibvirtBaseImages), which outlive the nodes by design. */
    private static void removePools(String prefix) {
        try {
            Connect c = new Connect("qemu:///system", false);
            try {
                for (String name : c.listStoragePools()) {
                    if (name.startsWith(prefix)) {
                        c.storagePoolLookupByName(name).destroy();
                    }
                }
                for (String name : c.listDefinedStoragePools()) {
                    if (name.startsWith(prefix)) {
                        c.storagePoolLookupByName(name).undefine();
                    }
                }
            } finally {
                c.close();
            }
        } catch (Exception | LinkageError e) {
            System.err.println("could not remove storage pools " + prefix + "*: " + e);
        }
    }

    private static void removeDomains(String prefix) {
        try {
            Connect c = new Connect("qemu:///system", false);
            try {
                for (int id : c.listDomains()) {
                    Domain d = c.domainLookupByID(id);
                    if (d.getName().startsWith(prefix)) {
                        d.destroy();
                    }
                }
                for (String name : c.listDefinedDomains()) {
                    if (name.startsWith(prefix)) {
                        c.domainLookupByName(name).undefine();
                    }
                }
            } finally {
                c.close();
            }
        } catch (Exception | LinkageError e) {
            System.err.println("could not remove domains " + prefix + "*: " + e);
        }
    }
}
