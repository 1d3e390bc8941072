package io.deskmesh.node.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.hypervisor.sim.rfb.RfbClient;
import io.deskmesh.hypervisor.sim.rfb.RfbConsoleServer;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.DisconnectSessionCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.Role;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.Principal;
import io.deskmesh.testkit.GridFixture;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console proxy on one node, against a grid image from {@link GridFixture} whose writes are
 * applied at once and recorded, a sim host with real RFB consoles, and a real HTTP server.
 */
class ConsoleProxyTest {
    private static final String SECRET = "grid-secret-for-console-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private final Grid grid = new Grid(GridFixture.grid().server("s1").server("s2")
            .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
            .template("office", t -> t.nonPersistent().baseImage("win11"))
            .allocate("office", "s1", 1).allocate("office", "s2", 1).buildAll()
            .user("ann").user("bob").grant("office", "ann").grant("office", "bob"));
    private final List<AutoCloseable> open = new ArrayList<>();
    private SimDriver driver;
    private ConsoleProxy proxy;
    private String base;
    private Reply.Reserved ann;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** Node s1 with ann's session on its VM, powered on, and a proxy with these settings. */
    private void start(ConsoleSettings settings) throws Exception {
        ann = grid.login("ann", "s2");
        RfbConsoleServer consoles = new RfbConsoleServer(SimConsoleLabels.from(grid::image), Clock.systemUTC());
        driver = new SimDriver(SimConfig.builder().hostName("s1").storageRoot(dir).build());
        driver.attachConsoleServer(consoles);
        driver.define(new VmSpec(ann.vmId(), ann.vmId(), 2, 2048, dir.resolve("win11.qcow2"), null,
                MacAllocator.DESKMESH.preferred(ann.vmId()), "default", ConsoleProtocol.VNC));
        driver.start(ann.vmId());
        ApiContext ctx = new ApiContext("s1", grid::image, grid::submit, SECRET, System::currentTimeMillis, null);
        proxy = new ConsoleProxy(ctx, new HeaderAuthenticator(grid), driver, settings, 1_000_000,
                new InetSocketAddress("127.0.0.1", 0));
        Javalin http = Javalin.create(c -> {
            c.jetty.host = "127.0.0.1";
            c.jetty.port = 0;
            c.startup.showJavalinBanner = false;
            proxy.accept(c);
        }).start();
        proxy.start();
        open.add(consoles);
        open.add(driver);
        open.add(http::stop);
        open.add(proxy);
        base = "http://127.0.0.1:" + http.port();
    }

    private static ConsoleSettings fast() {
        return new ConsoleSettings(Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofSeconds(5),
                Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMinutes(2));
    }

    @Test
    void aConsoleOnThisNodeShowsTheDesktopAndIsRecordedAttachedThenDetached() throws Exception {
        start(fast());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            RfbClient rfb = ws.rfb();
            assertThat(rfb.name()).isEqualTo("office (ann)");
            rfb.requestUpdate(false, 0, 0, rfb.width(), rfb.height());
            int[] pixels = rfb.readUpdate().get(0).rgb();
            assertThat(Arrays.stream(pixels).distinct().count()).isGreaterThan(10);
            await(() -> grid.sent(ConnectSessionCommand.class) >= 1, "the console's attach to be recorded");
            assertThat(proxy.openConsoles()).isEqualTo(1);
            assertThat(proxy.metrics().bytes(false)).as("bytes to the client").isGreaterThan(640 * 400 * 4);
            assertThat(proxy.metrics().bytes(true)).as("bytes from the client").isPositive();
            assertThat(proxy.scrape()).contains("deskmesh_console_connections_total{kind=\"local\",node=\"s1\"} 1.0");
        }
        await(() -> grid.sent(DisconnectSessionCommand.class) == 1, "the console's detach to be recorded");
        await(() -> proxy.openConsoles() == 0, "the console to be forgotten");
        assertThat(grid.image().sessions().get(ann.sessionId()).orElseThrow().state().name()).isEqualTo("DISCONNECTED");
    }

    @Test
    void clientInputIsReportedAsSessionActivity() throws Exception {
        start(fast());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            RfbClient rfb = ws.rfb();
            await(() -> grid.sent(ConnectSessionCommand.class) >= 1, "the attach");
            Thread.sleep(300);
            long settled = grid.sent(ConnectSessionCommand.class);
            for (int i = 0; i < 6; i++) { // what a browser client sends with nobody at the keyboard
                rfb.requestUpdate(true, 0, 0, rfb.width(), rfb.height());
                Thread.sleep(50);
            }
            assertThat(grid.sent(ConnectSessionCommand.class)).as("update requests are not input").isEqualTo(settled);
            rfb.pointer(0, 10, 10);
            await(() -> grid.sent(ConnectSessionCommand.class) == settled + 1, "input to be reported as activity");
        }
    }

    @Test
    void aConsoleWithNoTrafficIsClosedAfterTheIdleTimeout() throws Exception {
        start(fast().withIdleTimeout(Duration.ofMillis(500)));
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            ws.rfb();
            WsConsole.Closed closed = ws.awaitClose(Duration.ofSeconds(5));
            assertThat(closed.code()).isEqualTo(4408);
            assertThat(closed.reason()).contains("Nothing happened for 0 s");
        }
    }

    @Test
    void endingTheSessionClosesItsConsole() throws Exception {
        start(fast());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            ws.rfb();
            grid.submit(List.of(new EndSessionCommand(ann.sessionId(), "logged off")));
            proxy.onImage(grid.image());
            WsConsole.Closed closed = ws.awaitClose(Duration.ofSeconds(5));
            assertThat(closed.code()).isEqualTo(4410);
            assertThat(closed.reason()).isEqualTo("Your session has ended.");
        }
        assertThat(grid.sent(DisconnectSessionCommand.class)).as("an ended session is not disconnected").isZero();
    }

    @Test
    void aDesktopThatPowersOffClosesItsConsoleOnceTheGridHadTimeToSayWhy() throws Exception {
        start(fast());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            ws.rfb();
            driver.destroy(ann.vmId());
            Thread.sleep(ConsoleProxy.END_GRACE.toMillis() / 4);
            assertThat(ws.isClosed()).as("open while the image may still end the session").isFalse();
            WsConsole.Closed closed = ws.awaitClose(Duration.ofSeconds(5));
            assertThat(closed.code()).isEqualTo(4409);
            assertThat(closed.reason()).contains("shut down or restarted");
        }
    }

    @Test
    void aSessionThatEndsJustAfterItsDesktopPowersOffIsReportedAsEnded() throws Exception {
        start(fast());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            ws.rfb();
            driver.destroy(ann.vmId());
            Thread.sleep(100);
            grid.submit(List.of(new EndSessionCommand(ann.sessionId(), "logged off")));
            proxy.onImage(grid.image());
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(4410);
        }
    }

    @Test
    void aDesktopThatIsNotRunningIsSaidToBe() throws Exception {
        start(fast());
        driver.destroy(ann.vmId());
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, ticket("ann", ann.sessionId()).path("url").asText()))) {
            WsConsole.Closed closed = ws.awaitClose(Duration.ofSeconds(5));
            assertThat(closed.code()).isEqualTo(4409);
            assertThat(closed.reason()).contains("not running");
        }
    }

    @Test
    void onlyTheSessionsUserGetsATicket() throws Exception {
        start(fast());
        HttpResponse<String> r = post("/api/v1/sessions/" + ann.sessionId() + "/console-ticket", "bob");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).contains("is not yours");
        assertThat(post("/api/v1/sessions/" + ann.sessionId() + "/console-ticket", null).statusCode()).isEqualTo(401);
        JsonNode t = ticket("ann", ann.sessionId());
        assertThat(t.path("server").asText()).isEqualTo("s1");
        assertThat(t.path("url").asText()).startsWith("/console/" + ann.sessionId() + "?ticket=dmc1.");
    }

    @Test
    void theHostEndpointNeedsTheGridSecretAndServesOnlyItsOwnVms() throws Exception {
        start(fast());
        String own = WsConsole.wsUrl(base, "/internal/v1/console/" + ann.vmId() + "?session=" + ann.sessionId());
        try (WsConsole ws = WsConsole.open(own)) {
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(4403);
        }
        try (WsConsole ws = WsConsole.open(own, "Authorization", "Bearer not-the-secret")) {
            assertThat(ws.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo(4403);
        }
        String otherHosts = grid.image().vms().on("office", "s2").iterator().next();
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(base, "/internal/v1/console/" + otherHosts),
                "Authorization", "Bearer " + SECRET)) {
            WsConsole.Closed closed = ws.awaitClose(Duration.ofSeconds(5));
            assertThat(closed.code()).isEqualTo(4404);
            assertThat(closed.reason()).contains("is not on server 's1'");
        }
        try (WsConsole ws = WsConsole.open(own, "Authorization", "Bearer " + SECRET)) {
            assertThat(ws.rfb().name()).isEqualTo("office (ann)");
        }
        assertThat(grid.sent(ConnectSessionCommand.class)).as("hosts leave session records to the front door").isZero();
    }

    // ---- native viewers -------------------------------------------------------------------------

    @Test
    void aNativeViewerWithAConnectionFileSeesTheDesktopAndIsRecordedAttachedThenDetached() throws Exception {
        start(fast());
        JsonNode file = connectionFile("ann", ann.sessionId());
        assertThat(file.path("host").asText()).isEqualTo("127.0.0.1");
        assertThat(file.path("port").asInt()).isEqualTo(proxy.vncPort().orElseThrow());
        try (VncViewer viewer = viewer()) {
            VncViewer.Outcome o = viewer.login(file.path("password").asText(), 8);
            assertThat(o.reason()).isNull();
            assertThat(o.desktopName()).isEqualTo("office (ann)");
            assertThat(List.of(o.width(), o.height())).containsExactly(640, 400);
            assertThat(viewer.requestUpdate(640, 400)).as("rectangles in the first update").isPositive();
            await(() -> grid.sent(ConnectSessionCommand.class) >= 1, "the native console's attach to be recorded");
            assertThat(proxy.scrape()).contains("deskmesh_console_native_auth_total{node=\"s1\",outcome=\"admitted\"} 1.0");
            try (VncViewer again = viewer()) {
                VncViewer.Outcome twice = again.login(file.path("password").asText(), 8);
                assertThat(twice.admitted()).as("a file works once").isFalse();
                assertThat(twice.reason()).contains("Wrong password", "used already");
            }
        }
        await(() -> grid.sent(DisconnectSessionCommand.class) == 1, "the native console's detach to be recorded");
        await(() -> proxy.openConsoles() == 0, "the native console to be forgotten");
    }

    @Test
    void viewersOfRfb33And37AreServedToo() throws Exception {
        start(fast());
        for (int minor : new int[]{3, 7}) {
            try (VncViewer viewer = viewer()) {
                VncViewer.Outcome o = viewer.login(connectionFile("ann", ann.sessionId()).path("password").asText(), minor);
                assertThat(o.desktopName()).as("RFB 3." + minor).isEqualTo("office (ann)");
            }
        }
    }

    @Test
    void theConnectionFileIsAVirtViewerFileForTheSessionsOwnUserOnly() throws Exception {
        start(fast());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions/" + ann.sessionId()
                + "/connection-file")).POST(HttpRequest.BodyPublishers.noBody()).header(HeaderAuthenticator.HEADER, "ann")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-virt-viewer");
        assertThat(r.headers().firstValue("Content-Disposition").orElseThrow())
                .isEqualTo("attachment; filename=\"deskmesh-office.vv\"");
        assertThat(r.headers().firstValue("Cache-Control").orElseThrow()).isEqualTo("no-store");
        List<String> lines = r.body().lines().filter(l -> !l.startsWith("#")).toList();
        assertThat(lines).startsWith("[virt-viewer]", "type=vnc", "host=127.0.0.1", "port=" + proxy.vncPort().orElseThrow())
                .contains("delete-this-file=1", "title=office (DeskMesh)");
        String password = lines.stream().filter(l -> l.startsWith("password=")).findFirst().orElseThrow().substring(9);
        try (VncViewer viewer = viewer()) {
            assertThat(viewer.login(password, 8).desktopName()).as("the file's password opens the desktop")
                    .isEqualTo("office (ann)");
        }

        HttpResponse<String> bobs = post("/api/v1/sessions/" + ann.sessionId() + "/connection-file", "bob");
        assertThat(bobs.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(bobs.body()).path("error").path("message").asText()).contains("is not yours");
        assertThat(post("/api/v1/sessions/" + ann.sessionId() + "/connection-file", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/sessions/no-such-session/connection-file", "ann").statusCode()).isEqualTo(404);
    }

    @Test
    void wrongPasswordsAreRefusedWithAReasonAndAnAddressThatKeepsGuessingIsStopped() throws Exception {
        start(fast());
        for (int i = 0; i < VncEntry.MAX_FAILURES; i++) {
            try (VncViewer viewer = viewer()) {
                VncViewer.Outcome o = viewer.login("guess" + i, 8);
                assertThat(o.admitted()).isFalse();
                assertThat(o.reason()).contains("Wrong password", "server 's1'");
            }
        }
        String good = connectionFile("ann", ann.sessionId()).path("password").asText();
        try (VncViewer viewer = viewer()) {
            VncViewer.Outcome o = viewer.login(good, 8);
            assertThat(o.admitted()).as("even the right password waits").isFalse();
            assertThat(o.reason()).contains("Too many wrong passwords from 127.0.0.1", "try again in");
        }
        assertThat(proxy.scrape()).contains("outcome=\"wrong\"} 10.0", "outcome=\"limited\"} 1.0");
    }

    @Test
    void anExpiredFileOrOneForAnEndedSessionIsRefusedSayingSo() throws Exception {
        start(fast());
        long now = System.currentTimeMillis();
        String expired = proxy.passwords().issue(ann.sessionId(), "ann", now - 120_000, 60_000);
        try (VncViewer viewer = viewer()) {
            VncViewer.Outcome o = viewer.login(expired, 8);
            assertThat(o.admitted()).isFalse();
            assertThat(o.reason()).contains("has expired");
        }
        String late = connectionFile("ann", ann.sessionId()).path("password").asText();
        grid.submit(List.of(new EndSessionCommand(ann.sessionId(), "logged off")));
        try (VncViewer viewer = viewer()) {
            VncViewer.Outcome o = viewer.login(late, 8);
            assertThat(o.admitted()).isFalse();
            assertThat(o.reason()).contains("Your session has ended");
        }
    }

    @Test
    void aDesktopThatIsNotRunningIsSaidToBeToANativeViewer() throws Exception {
        start(fast());
        driver.destroy(ann.vmId());
        try (VncViewer viewer = viewer()) {
            VncViewer.Outcome o = viewer.login(connectionFile("ann", ann.sessionId()).path("password").asText(), 8);
            assertThat(o.admitted()).isFalse();
            assertThat(o.reason()).contains("not running");
        }
        await(() -> proxy.openConsoles() == 0, "the failed console to be forgotten");
    }

    @Test
    void endingTheSessionOrIdlingClosesTheNativeConsole() throws Exception {
        start(fast().withIdleTimeout(Duration.ofMillis(800)));
        try (VncViewer viewer = viewer()) {
            viewer.login(connectionFile("ann", ann.sessionId()).path("password").asText(), 8);
            assertThat(viewer.closedByNode()).as("closed when idle").isTrue();
        }
        try (VncViewer viewer = viewer()) {
            assertThat(viewer.login(connectionFile("ann", ann.sessionId()).path("password").asText(), 8).admitted()).isTrue();
            viewer.pointer(5, 5);
            grid.submit(List.of(new EndSessionCommand(ann.sessionId(), "logged off")));
            proxy.onImage(grid.image());
            assertThat(viewer.closedByNode()).as("closed when the session ends").isTrue();
        }
        await(() -> proxy.openConsoles() == 0, "the native consoles to be forgotten");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private VncViewer viewer() throws Exception {
        return VncViewer.connect("127.0.0.1", proxy.vncPort().orElseThrow());
    }

    private JsonNode connectionFile(String user, String sessionId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/sessions/" + sessionId
                        + "/connection-file")).POST(HttpRequest.BodyPublishers.noBody())
                .header(HeaderAuthenticator.HEADER, user).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode ticket(String user, String sessionId) throws Exception {
        HttpResponse<String> r = post("/api/v1/sessions/" + sessionId + "/console-ticket", user);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (user != null) {
            b.header(HeaderAuthenticator.HEADER, user);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The grid's image, with each submit applied at once as one entry and every command kept. Thread-safe. */
    private static final class Grid {
        private final GridFixture fixture;
        private ClusterImage image;
        private final List<MeshCommand> sent = new ArrayList<>();

        Grid(GridFixture fixture) {
            this.fixture = fixture;
            this.image = fixture.clusterImage();
        }

        Reply.Reserved login(String user, String... exclude) {
            Reply.Reserved r = fixture.login(user, "office", exclude);
            image = fixture.clusterImage();
            return r;
        }

        synchronized ClusterImage image() {
            return image;
        }

        synchronized CompletableFuture<List<Reply>> submit(List<MeshCommand> commands) {
            sent.addAll(commands);
            CommandProcessor.BatchResult r = CommandProcessor.apply(image, image.index() + 1, fixture.now(), commands);
            image = r.image();
            return CompletableFuture.completedFuture(r.replies());
        }

        synchronized long sent(Class<? extends MeshCommand> type) {
            return sent.stream().filter(type::isInstance).count();
        }
    }

    /** The caller is the user named by a header (no tokens in these tests). */
    private static final class HeaderAuthenticator implements Authenticator {
        static final String HEADER = "X-Test-User";
        private final Grid grid;

        HeaderAuthenticator(Grid grid) {
            this.grid = grid;
        }

        @Override
        public Principal require(io.javalin.http.Context ctx) {
            String name = ctx.header(HEADER);
            if (name == null || grid.image().accounts().user(name).isEmpty()) {
                throw ApiException.unauthenticated("log in first");
            }
            return new Principal(name, Role.USER, "t-" + name, Long.MAX_VALUE, ctx.ip());
        }
    }
}
