package io.deskmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.agent.AgentEvent;
import io.deskmesh.node.auth.PasswordHasher;
import io.deskmesh.node.demo.TinyGuest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Two nodes on loopback running real desktops: {@code --driver libvirt} on {@code qemu:///system}
 * with TCG guests built from the tiny guest ({@code scripts/build-tiny-guest.sh}). The base image
 * is imported on node 1 and must replicate to node 2 byte for byte; three VMs boot and their
 * agents report ready over virtio-serial; a user's console answers with an RFB banner through the
 * node's WebSocket proxy; a VM whose agent is stopped is marked unhealthy and replaced.
 *
 * <p>Never skipped: without libvirtd it fails and says how to set libvirt up. Domains it made are
 * destroyed and undefined afterwards, whatever happened.
 */
class LibvirtGridIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String RUN = "it" + ProcessHandle.current().pid();
    private static final String PASSWORD = "alice-password-1";
    private static final ImageRef GUEST = new ImageRef("tiny-guest", 1);
    /** TCG guests on a shared 2-core machine: generous deadlines, never asserted as timings. */
    private static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private final List<Node> nodes = new ArrayList<>();

    @BeforeEach
    void libvirtIsSetUp() {
        String problem = LibvirtSetupCheck.problem();
        if (problem != null) {
            fail(problem);
        }
    }

    @AfterEach
    void stopNodesAndRemoveTheirDomains() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        LibvirtSetupCheck.removeDomains("dm-" + RUN + "-");
    }

    @Test
    void twoNodesRunRealDesktopsWhoseAgentsAreWatched() throws Exception {
        Path guest = TinyGuest.build();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        int base = freePortBlock(2);
        Node node1 = start(1, base, null, null);
        Node node2 = start(2, base, "127.0.0.1:" + base, node1.joinToken());

        ImageManifest imported = importGuest(node1, guest);
        ok(node1, new CreateTemplateCommand(new TemplateSpec("tiny", 1, 192, GUEST.image(), 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(3), 3, 2, 1800, 600)));
        ok(node1, new CreateUserCommand("alice", new PasswordHasher().hash(PASSWORD), Role.USER, ""));
        ok(node1, new CreateGrantCommand("tiny", "alice", null));

        await("the base image lands on node 2", Duration.ofMinutes(1), () ->
                node1.image().images().replicas(GUEST).containsKey(node2.name())
                        && node1.image().images().replicas(GUEST).get(node2.name()).landed());
        assertThat(sha256(node2.imageStore().diskPath(GUEST))).as("node 2's copy").isEqualTo(imported.sha256());

        await("3 VMs whose agents are ready", BOOT_DEADLINE, () -> readyVms().size() >= 3);
        Set<String> first = readyVms();

        JsonNode session = connect(node1, login(node1));
        String ticketUrl = ticket(node1, session.path("sessionId").asText());
        assertThat(rfbBanner(node1, ticketUrl)).matches("RFB 003\\.00[0-9]\n");

        String victim = first.stream().filter(vm -> !vm.equals(session.path("vm").asText())).findFirst().orElseThrow();
        Node host = nodeHosting(victim);
        assertThat(host.agents().send(victim, AgentEvent.STOP)).as("the agent channel of %s is open", victim).isTrue();
        await("VM " + victim + " marked unhealthy after its agent stopped", Duration.ofMinutes(1), () ->
                node1.image().vms().get(victim).map(vm -> vm.state() != VmState.RUNNING || !vm.reason().isEmpty())
                        .orElse(true));
        await("a replacement VM's agent ready", BOOT_DEADLINE, () -> {
            Set<String> ready = readyVms();
            ready.remove(victim);
            return ready.size() >= 3;
        });
        assertThat(node1.image().vms().get(victim).map(VmImage::state))
                .as("the silent VM is out of brokering").isNotEqualTo(java.util.Optional.of(VmState.RUNNING));
    }

    @Test
    void aPersistentDesktopRunsFromItsOwnersHomeThatOnlyQemuMayEnter() throws Exception {
        Path guest = TinyGuest.build();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Node node = start(1, freePortBlock(1), null, null);
        importGuest(node, guest);
        ok(node, new CreateTemplateCommand(new TemplateSpec("mine", 1, 192, GUEST.image(), 0, PoolKind.PERSISTENT,
                DesiredVms.of(1), 0, 1, 1800, 600)));
        ok(node, new CreateUserCommand("alice", new PasswordHasher().hash(PASSWORD), Role.USER, ""));
        ok(node, new CreateGrantCommand("mine", "alice", null));
        await("the persistent desktop is built", Duration.ofMinutes(1), () -> node.image().vms().all().stream()
                .anyMatch(vm -> vm.state() == VmState.STOPPED));

        token = login(node);
        HttpResponse<String> r = post(node, "/api/v1/desktops/mine/connect");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String vm = JSON.readTree(r.body()).path("vm").asText();
        Path home = dir.resolve("node1").resolve("users").resolve("alice");
        assertThat(home.resolve(vm + ".qcow2")).as("alice's desktop disk").isRegularFile();
        assertThat(dir.resolve("node1").resolve("vms").resolve(vm + ".qcow2")).as("nothing left in the pool area")
                .doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
        assertThat(Files.getOwner(home).getName()).as("only QEMU's account (and root) may enter")
                .isEqualTo(io.deskmesh.hypervisor.libvirt.QemuUser.ofSystemInstance().orElse("root"));
        await("alice's desktop boots from her home and its agent is ready", BOOT_DEADLINE, () -> readyVms().contains(vm));
    }

    /** Imports the tiny guest into the node's store and registers it with the grid (no image-import API yet). */
    private static ImageManifest importGuest(Node node, Path guest) throws Exception {
        ImageManifest imported = node.imageStore().importFile(guest, GUEST, 0, "tiny");
        ok(node, new RegisterImageVersionCommand(GUEST.image(), GUEST.version(), imported.sizeBytes(), imported.sha256(),
                0, node.name()));
        return imported;
    }

    private Node start(int i, int base, String join, String token) throws Exception {
        NodeConfig config = new NodeConfig(RUN + "-n" + i, dir.resolve("node" + i), "127.0.0.1:" + (base + i - 1),
                "127.0.0.1:" + (base + 1000 + i - 1), join, token, "libvirt", "", null, Duration.ofSeconds(5),
                i == 1 ? "admin-password-1" : null, "qemu:///system", "qemu");
        Node node = Node.start(config);
        nodes.add(node);
        return node;
    }

    /** VMs of the grid that are running and whose agent spoke to their host. */
    private Set<String> readyVms() {
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

    /** The grid's VMs and agents, for failure messages. */
    private String grid() {
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

    private Node nodeHosting(String vm) {
        String server = nodes.get(0).image().vms().get(vm).orElseThrow().server();
        return nodes.stream().filter(n -> n.name().equals(server)).findFirst().orElseThrow();
    }

    private static void ok(Node node, MeshCommand command) throws Exception {
        Reply r = node.execute(command);
        if (r instanceof Reply.Failed f) {
            throw new AssertionError(command + " refused: " + f.message());
        }
    }

    private static String login(Node node) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", "alice",
                        "password", PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    private JsonNode connect(Node node, String token) throws Exception {
        this.token = token;
        HttpResponse<String> r = post(node, "/api/v1/desktops/tiny/connect");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private String token;

    private String ticket(Node node, String sessionId) throws Exception {
        HttpResponse<String> r = post(node, "/api/v1/sessions/" + sessionId + "/console-ticket");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("url").asText();
    }

    private HttpResponse<String> post(Node node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The first 12 bytes the console WebSocket carries: the VNC server's RFB protocol banner. */
    private static String rfbBanner(Node node, String path) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CompletableFuture<String> banner = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(node.url().replaceFirst("^http", "ws") + path),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        got.writeBytes(b);
                        if (got.size() >= 12) {
                            banner.complete(new String(got.toByteArray(), 0, 12, StandardCharsets.US_ASCII));
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        banner.completeExceptionally(new AssertionError("console closed: " + code + " " + reason));
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            return banner.get(30, TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline.toSeconds() + " s: " + what + "; " + grid());
            }
            Thread.sleep(250);
        }
    }

    private static int freePortBlock(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + (int) (Math.random() * 30_000);
            boolean ok = true;
            for (int i = 0; i < count && ok; i++) {
                ok = free(base + i) && free(base + 1000 + i);
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of ports on loopback");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether libvirt can run this test, and removal of the domains a run left. */
    static final class LibvirtSetupCheck {
        static final String HOW = "set libvirt up as .ci/run does: apt-get install -y libvirt-clients libvirt-daemon"
                + " libvirt-daemon-system libvirt-daemon-system-sysv qemu-system-x86 qemu-utils busybox-static cpio mtools"
                + " syslinux syslinux-common dosfstools; chgrp kvm /dev/kvm; chmod 0660 /dev/kvm; virtlogd -d; libvirtd -d"
                + " (or run 'bash .ci/run')";

        /** Why qemu:///system cannot run the test, or null. */
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

        static void removeDomains(String prefix) {
            try {
                Connect c = new Connect("qemu:///system", false);
                try {
                    for (String name : c.listDefinedDomains()) {
                        if (name.startsWith(prefix)) {
                            c.domainLookupByName(name).undefine();
                        }
                    }
                    for (int id : c.listDomains()) {
                        Domain d = c.domainLookupByID(id);
                        if (d.getName().startsWith(prefix)) {
                            d.destroy();
                            try {
                                d.undefine();
                            } catch (Exception e) {
                                // a transient domain is gone once destroyed
                            }
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
}
