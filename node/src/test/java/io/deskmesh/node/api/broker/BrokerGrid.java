package io.deskmesh.node.api.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.SyntheticImages;
import io.deskmesh.model.codec.Json;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateGroupCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.Node;
import io.deskmesh.node.NodeConfig;
import io.javalin.Javalin;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real grid in this process for broker tests: N nodes (Raft over gRPC, HTTP, sim hosts) on free
 * loopback ports. Each node also gets a test front door serving the broker's public routes on the
 * node's own API context through {@link TestAuthenticator}, so tests need no API tokens; hosts prepare
 * VMs through their node's real internal endpoint, and each node's own session janitor runs.
 * Not thread-safe apart from its HTTP helpers.
 */
final class BrokerGrid implements AutoCloseable {
    static final String PASSWORD_HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$not-a-real-hash";

    private final List<Node> nodes = new ArrayList<>();
    private final List<Javalin> doors = new ArrayList<>();
    private final List<Boolean> closed = new ArrayList<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** An HTTP answer: status and JSON body. */
    record Answer(int status, JsonNode body) {
        String error() {
            return body.path("error").path("code").asText(null);
        }

        String message() {
            return body.path("error").path("message").asText(null);
        }

        String get(String field) {
            return body.path(field).asText(null);
        }
    }

    static BrokerGrid start(Path dir, int n, Capacity capacity, BrokerSettings settings) throws Exception {
        BrokerGrid grid = new BrokerGrid();
        try {
            String token = null;
            String first = null;
            for (int i = 1; i <= n; i++) {
                String httpAddress = "127.0.0.1:" + freePort();
                NodeConfig config = new NodeConfig("node" + i, dir.resolve("node" + i), httpAddress,
                        "127.0.0.1:" + freePort(), first, token, "sim", "site-a", capacity, Duration.ofSeconds(3),
                        "admin-password");
                Node node = Node.start(config);
                if (i == 1) {
                    token = node.joinToken();
                    first = httpAddress;
                }
                grid.nodes.add(node);
                grid.closed.add(false);
                DesktopRoutes routes = new DesktopRoutes(node.api().context(), new TestAuthenticator(node::image),
                        new DesktopBroker(node.api().context(), settings, grid.executor), grid.executor);
                grid.doors.add(Javalin.create(cfg -> {
                    cfg.jetty.host = "127.0.0.1";
                    cfg.jetty.port = 0;
                    cfg.startup.showJavalinBanner = false;
                    routes.accept(cfg);
                }).start());
            }
            grid.await(() -> grid.nodes.stream().allMatch(x -> x.image().servers().size() == n), "every node to see "
                    + n + " servers", 30_000);
            // While the grid grows, the leader may briefly demote a voter (two peers get one voter) and
            // promote it back on its next voter check; a test that kills a node needs the final voters.
            int voters = Math.min(n, 3);
            grid.await(() -> grid.nodes.stream().allMatch(x -> x.raft().membership().voterIds().size() == voters),
                    voters + " Raft voters", 30_000);
        } catch (Exception | AssertionError e) {
            grid.close();
            throw e;
        }
        return grid;
    }

    Node node(int i) {
        return nodes.get(i);
    }

    int size() {
        return nodes.size();
    }

    /** A live node's image. */
    ClusterImage image() {
        return live().image();
    }

    Node live() {
        for (int i = 0; i < nodes.size(); i++) {
            if (!closed.get(i)) {
                return nodes.get(i);
            }
        }
        throw new IllegalStateException("every node is closed");
    }

    /** The index of the live node that leads the Raft group now. */
    int leader() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (int i = 0; i < nodes.size(); i++) {
                if (!closed.get(i) && nodes.get(i).raft().isLeader()) {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no live leader within 10 s");
    }

    int indexOf(String server) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(server)) {
                return i;
            }
        }
        throw new IllegalArgumentException(server);
    }

    /** Kills a node: its test front door and the node itself. */
    void kill(int i) {
        closed.set(i, true);
        doors.get(i).stop();
        nodes.get(i).close();
    }

    /**
     * Submits commands as one entry through a live node, demands that each was accepted, and waits until
     * every live node has applied them (the test front doors read their own node's image).
     */
    void ok(MeshCommand... commands) throws Exception {
        Node via = live();
        List<Reply> replies = via.raft().submitter().submitAll(List.of(commands)).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < replies.size(); i++) {
            assertThat(replies.get(i).ok()).as("%s: %s", commands[i], replies.get(i)).isTrue();
        }
        long index = via.image().index();
        await(() -> {
            for (int i = 0; i < nodes.size(); i++) {
                if (!closed.get(i) && nodes.get(i).image().index() < index) {
                    return false;
                }
            }
            return true;
        }, "every node to apply index " + index, 10_000);
    }

    /**
     * A template with its own synthetic base image and a pool of {@code spec.desiredVms()}, and waits
     * until the pool is built and settled. The template starts with no VMs and grows only once its base
     * image is on every server its {@code minReplicas} asks for, so the VMs are spread from the start
     * rather than moved later.
     */
    void pool(TemplateSpec spec) throws Exception {
        ImageRef ref = new ImageRef(spec.baseImage(), 1);
        ImageManifest m = SyntheticImages.importInto(live().imageStore(), ref, 1L << 20, 7, 0, null);
        ok(new RegisterImageVersionCommand(ref.image(), 1, m.sizeBytes(), m.sha256(), 0, live().name()));
        ok(new CreateTemplateCommand(spec.withDesiredVms(DesiredVms.of(0))));
        int copies = Math.min(spec.minReplicas(), (int) closed.stream().filter(c -> !c).count());
        await(() -> image().images().replicas(ref).values().stream().filter(r -> r.landed()).count() >= copies,
                copies + " copies of " + ref, 30_000);
        ok(new UpdateTemplateCommand(image().templates().get(spec.name()).orElseThrow().spec()
                .withDesiredVms(spec.desiredVms())));
        awaitSettledPool(spec.name(), spec.desiredVms().count(), 60_000);
    }

    /** Users {@code prefix1..prefixN} in group {@code prefix}, granted {@code template}. */
    List<String> users(String prefix, int n, String template) throws Exception {
        List<String> names = new ArrayList<>();
        List<MeshCommand> batch = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            names.add(prefix + i);
            batch.add(new CreateUserCommand(prefix + i, PASSWORD_HASH, Role.USER, ""));
            if (batch.size() == 500) {
                ok(batch.toArray(MeshCommand[]::new));
                batch.clear();
            }
        }
        batch.add(new CreateGroupCommand(prefix, names));
        batch.add(new CreateGrantCommand(template, null, prefix));
        ok(batch.toArray(MeshCommand[]::new));
        return names;
    }

    /**
     * Waits until the template's pool is settled on every live node: exactly {@code n} VMs, all built, the
     * planners have nothing left to do and no reconciler action runs. (A pool that is still being
     * rebalanced can briefly hold more VMs than desired: a move builds the new VM before retiring the
     * old one, and a login may take the old one meanwhile.)
     */
    void awaitSettledPool(String template, int n, long timeoutMs) throws InterruptedException {
        await(() -> {
            for (int i = 0; i < nodes.size(); i++) {
                if (closed.get(i)) {
                    continue;
                }
                ClusterImage image = nodes.get(i).image();
                int all = image.vms().placement(template).values().stream().mapToInt(Set::size).sum();
                if (all != n || ready(image, template) != n || !GridPlanner.plan(image).isEmpty()
                        || !nodes.get(i).reconciler().inFlight().isEmpty()) {
                    return false;
                }
            }
            return true;
        }, "a settled pool of " + n + " VMs of '" + template + "'", timeoutMs);
    }

    static int ready(ClusterImage image, String template) {
        int ready = 0;
        for (var ids : image.vms().placement(template).values()) {
            for (String id : ids) {
                VmImage vm = image.vms().get(id).orElseThrow();
                ready += vm.state() == VmState.STOPPED || vm.state() == VmState.RUNNING ? 1 : 0;
            }
        }
        return ready;
    }

    // ---- HTTP ------------------------------------------------------------------------------------

    String door(int i) {
        return "http://127.0.0.1:" + doors.get(i).port();
    }

    CompletableFuture<Answer> send(int door, String method, String path, String user) {
        return send(door(door), method, path, user);
    }

    CompletableFuture<Answer> send(String base, String method, String path, String user) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            b.header(TestAuthenticator.HEADER, user);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            try {
                return new Answer(r.statusCode(), Json.MAPPER.readTree(r.body()));
            } catch (Exception e) {
                throw new IllegalStateException("not JSON (" + r.statusCode() + "): " + r.body(), e);
            }
        });
    }

    Answer call(int door, String method, String path, String user) throws Exception {
        return send(door, method, path, user).get(90, TimeUnit.SECONDS);
    }

    CompletableFuture<Answer> connectAsync(int door, String user, String template) {
        return send(door, "POST", "/api/v1/desktops/" + template + "/connect", user);
    }

    Answer connect(int door, String user, String template) throws Exception {
        return call(door, "POST", "/api/v1/desktops/" + template + "/connect", user);
    }

    void await(BooleanSupplier condition, String what, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Javalin d : doors) {
            try {
                d.stop();
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (!closed.get(i)) {
                nodes.get(i).close();
            }
        }
        executor.shutdownNow();
        http.shutdownNow();
    }
}
