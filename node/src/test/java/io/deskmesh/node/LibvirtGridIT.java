package io.deskmesh.node;

import static io.deskmesh.node.LibvirtNodes.GUEST;
import static io.deskmesh.node.LibvirtNodes.importGuest;
import static io.deskmesh.node.LibvirtNodes.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.hypervisor.libvirt.QemuUser;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.agent.AgentEvent;
import io.deskmesh.node.auth.PasswordHasher;
import io.deskmesh.node.demo.TinyGuest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
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
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes on loopback running real desktops: {@code --driver libvirt} on {@code qemu:///system} with
 * TCG guests built from the tiny guest ({@code scripts/build-tiny-guest.sh}). Two nodes: the base
 * image is imported on node 1 and must replicate to node 2 byte for byte; three VMs boot and their
 * agents report ready over virtio-serial; a user's console answers with an RFB banner through the
 * node's WebSocket proxy; node 2 holds the image as a volume of its own storage pool and bases its
 * VMs on it; a login and a logout reported by the guest's agent connect and end the user's session;
 * a VM whose agent is stopped is marked unhealthy and replaced. One node: a
 * persistent desktop runs from its owner's home.
 *
 * <p>Never skipped: without libvirtd it fails and says how to set libvirt up. Domains it made are
 * destroyed and undefined afterwards, whatever happened.
 */
class LibvirtGridIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PASSWORD = "alice-password-1";
    /** TCG guests on a shared 2-core machine: generous deadlines, never asserted as timings. */
    private static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private LibvirtNodes grid;
    private String token;

    @BeforeEach
    void libvirtIsSetUp() throws Exception {
        String problem = LibvirtNodes.problem();
        if (problem != null) {
            fail(problem);
        }
        grid = new LibvirtNodes(dir);
    }

    @AfterEach
    void stopNodesAndRemoveTheirDomains() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void twoNodesRunRealDesktopsWhoseAgentsAreWatched() throws Exception {
        Path guest = TinyGuest.build();
        int base = LoopbackPorts.freeBlock(2);
        Node node1 = grid.start(1, base, null, null);
        Node node2 = grid.start(2, base, "127.0.0.1:" + base, node1.joinToken());

        ImageManifest imported = importGuest(node1, guest);
        ok(node1, new CreateTemplateCommand(new TemplateSpec("tiny", 1, 192, GUEST.image(), 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(3), 3, 2, 1800, 600)));
        grantAlice(node1, "tiny");

        grid.await("the base image lands on node 2", Duration.ofMinutes(1), () ->
                node1.image().images().replicas(GUEST).containsKey(node2.name())
                        && node1.image().images().replicas(GUEST).get(node2.name()).landed());
        assertThat(sha256(node2.imageStore().diskPath(GUEST))).as("node 2's copy").isEqualTo(imported.sha256());
        assertCustomisedOnArrival(node2, 2);

        grid.await("3 VMs whose agents are ready", BOOT_DEADLINE, () -> grid.readyVms().size() >= 3);
        Set<String> first = grid.readyVms();
        assertVmsBasedOnTheirHostsVolume(node1, 1);
        assertVmsBasedOnTheirHostsVolume(node2, 2);

        token = ApiLogin.token(node1, "alice", PASSWORD);
        JsonNode session = connect(node1, "tiny");
        String sessionId = session.path("sessionId").asText();
        String ticketUrl = ticket(node1, sessionId);
        assertThat(rfbBanner(node1, ticketUrl)).matches("RFB 003\\.00[0-9]\n");
        loginAndLogoutInTheGuestUpdateTheSession(node1, sessionId, session.path("vm").asText());

        String victim = first.stream().filter(vm -> !vm.equals(session.path("vm").asText())).findFirst().orElseThrow();
        Node host = grid.hosting(victim);
        assertThat(host.agents().send(victim, AgentEvent.STOP)).as("the agent channel of %s is open", victim).isTrue();
        grid.await("VM " + victim + " marked unhealthy after its agent stopped", Duration.ofMinutes(1), () ->
                node1.image().vms().get(victim).map(vm -> vm.state() != VmState.RUNNING).orElse(true));
        grid.await("a replacement VM's agent ready", BOOT_DEADLINE, () -> {
            Set<String> ready = grid.readyVms();
            ready.remove(victim);
            return ready.size() >= 3;
        });
        assertThat(node1.image().vms().get(victim).map(VmImage::state))
                .as("the silent VM is out of brokering").isNotEqualTo(Optional.of(VmState.RUNNING));
    }

    @Test
    void aPersistentDesktopRunsFromItsOwnersHomeThatOnlyQemuMayEnter() throws Exception {
        Path guest = TinyGuest.build();
        Node node = grid.start(1, LoopbackPorts.freeBlock(1), null, null);
        importGuest(node, guest);
        ok(node, new CreateTemplateCommand(new TemplateSpec("mine", 1, 192, GUEST.image(), 0, PoolKind.PERSISTENT,
                DesiredVms.of(1), 0, 1, 1800, 600)));
        grantAlice(node, "mine");
        grid.await("the persistent desktop is built", Duration.ofMinutes(1), () -> node.image().vms().all().stream()
                .anyMatch(vm -> vm.state() == VmState.STOPPED));

        token = ApiLogin.token(node, "alice", PASSWORD);
        String vm = connect(node, "mine").path("vm").asText();
        Path home = grid.dataDir(1).resolve("users").resolve("alice");
        assertThat(home.resolve(vm + ".qcow2")).as("alice's desktop disk").isRegularFile();
        assertThat(grid.dataDir(1).resolve("vms").resolve(vm + ".qcow2")).as("nothing left in the pool area")
                .doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
        assertThat(Files.getOwner(home).getName()).as("only QEMU's account (and root) may enter")
                .isEqualTo(QemuUser.ofSystemInstance().orElse("root"));
        grid.await("alice's desktop boots from her home and its agent is ready", BOOT_DEADLINE,
                () -> grid.readyVms().contains(vm));
    }

    /**
     * The version landed on node 2 as a volume of node 2's own storage pool (the verified file
     * itself), described in the version's local directory: skip the customisation on arrival and
     * neither exists.
     */
    private void assertCustomisedOnArrival(Node node, int i) throws Exception {
        Path disk = node.imageStore().diskPath(GUEST);
        Path volume = volume(i);
        assertThat(node.driver().baseImages().basePath(GUEST.image(), GUEST.version(), disk)).isEqualTo(volume);
        assertThat(Files.isSameFile(volume, disk)).as("the volume is the verified file itself").isTrue();
        assertThat(disk.resolveSibling("local").resolve("libvirt-volume.xml")).content()
                .contains("<path>" + volume + "</path>").contains("<format type='qcow2'/>");
    }

    /** Every VM a node defined is based on the node's own volume of the image, never on the store's file. */
    private void assertVmsBasedOnTheirHostsVolume(Node node, int i) {
        for (var vm : node.driver().list()) {
            assertThat(node.driver().definition(vm.vmId()).map(d -> d.baseImage()))
                    .as("base image of VM %s on node %d", vm.vmId(), i).contains(volume(i));
        }
    }

    private Path volume(int i) {
        return grid.dataDir(i).resolve("vms").resolve("base").resolve(GUEST.image() + "@" + GUEST.version() + ".qcow2");
    }

    /**
     * The reference agent in alice's desktop reports a login and then a logout (asked by the host,
     * standing in for alice at the desktop): the login records her disconnected session connected,
     * the logout ends it.
     */
    private void loginAndLogoutInTheGuestUpdateTheSession(Node node, String sessionId, String vm) throws Exception {
        HttpResponse<String> disconnected = post(node, "/api/v1/sessions/" + sessionId + "/disconnect");
        assertThat(disconnected.statusCode()).as(disconnected.body()).isBetween(200, 204);
        grid.await("session " + sessionId + " disconnected", Duration.ofSeconds(30), () -> sessionState(node, sessionId)
                .equals(Optional.of(SessionState.DISCONNECTED)));
        Node host = grid.hosting(vm);

        assertThat(host.agents().send(vm, AgentEvent.report(AgentEvent.Kind.LOGIN, "alice"))).isTrue();
        grid.await("alice's login in the guest connects session " + sessionId, Duration.ofSeconds(30),
                () -> sessionState(node, sessionId).equals(Optional.of(SessionState.CONNECTED)));

        assertThat(host.agents().send(vm, AgentEvent.report(AgentEvent.Kind.LOGOUT, "alice"))).isTrue();
        grid.await("alice's logout in the guest ends session " + sessionId, Duration.ofSeconds(30),
                () -> sessionState(node, sessionId).isEmpty());
    }

    private static Optional<SessionState> sessionState(Node node, String sessionId) {
        return node.image().sessions().get(sessionId).map(SessionImage::state);
    }

    private static void grantAlice(Node node, String template) throws Exception {
        ok(node, new CreateUserCommand("alice", new PasswordHasher().hash(PASSWORD), Role.USER, ""));
        ok(node, new CreateGrantCommand(template, "alice", null));
    }


    private JsonNode connect(Node node, String template) throws Exception {
        HttpResponse<String> r = post(node, "/api/v1/desktops/" + template + "/connect");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

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
}
