package io.deskmesh.node.console;

import io.deskmesh.testkit.LoopbackPorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.hypervisor.sim.rfb.RfbClient;
import io.deskmesh.node.Node;
import io.deskmesh.node.demo.DemoGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console proxy in a real three-node grid ({@link DemoGrid}: Raft, HTTP, sim hosts with RFB
 * consoles), driven as a browser page would: log in, connect, ask the node for a console ticket,
 * open the WebSocket on that node and speak RFB through it. The last test kills a node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleProxyIT {
    private static final String ADMIN_PASSWORD = "admin-password-1";
    private static final String USER_PASSWORD = "user-password-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(15);

    private static DemoGrid grid;
    private static final Map<String, String> tokens = new HashMap<>();
    /** user1's session, used by several tests, and the node hosting it. */
    private static JsonNode user1;

    @BeforeAll
    static void startGrid() throws Exception {
        DemoGrid.Options options = new DemoGrid.Options(3, null, LoopbackPorts.demoGridBlock(3), ADMIN_PASSWORD, USER_PASSWORD, 3);
        grid = DemoGrid.create(options);
        grid.start(options);
        for (String user : List.of("user1", "user2", "user3")) {
            tokens.put(user, login(node(1), user));
        }
        user1 = connect(node(1), "user1");
    }

    @AfterAll
    static void stopGrid() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    @Order(1)
    void aConsoleOnAnotherServerWorksThroughTheNodeTheUserLoggedInTo() throws Exception {
        Node host = byName(user1.path("server").asText());
        Node front = notHosting(host);
        try (WsConsole ws = open(front, "user1", user1.path("sessionId").asText())) {
            RfbClient rfb = ws.rfb();
            assertThat(rfb.name()).isEqualTo("office (user1)");
            assertThat(List.of(rfb.width(), rfb.height())).containsExactly(640, 400);
            rfb.requestUpdate(false, 0, 0, 640, 400);
            List<RfbClient.Rectangle> update = rfb.readUpdate();
            assertThat(update).hasSize(1);
            assertThat(Arrays.stream(update.get(0).rgb()).distinct().count()).as("distinct colours").isGreaterThan(10);
            assertThat(front.consoles().scrape()).contains("deskmesh_console_connections_total{kind=\"hop\"");
            assertThat(host.consoles().scrape()).contains("deskmesh_console_connections_total{kind=\"host\"");
            assertThat(host.consoles().metrics().bytes(false)).as("the host carried the framebuffer")
                    .isGreaterThan(640 * 400 * 4);
        }
        try (WsConsole ws = open(host, "user1", user1.path("sessionId").asText())) {
            assertThat(ws.rfb().name()).as("and on the hosting node itself").isEqualTo("office (user1)");
        }
    }

    @Test
    @Order(2)
    void aTicketCannotBeReused() throws Exception {
        Node front = node(1);
        String url = ticket(front, "user1", user1.path("sessionId").asText()).path("url").asText();
        try (WsConsole first = WsConsole.open(WsConsole.wsUrl(front.url(), url))) {
            assertThat(first.rfb().name()).isEqualTo("office (user1)");
            try (WsConsole again = WsConsole.open(WsConsole.wsUrl(front.url(), url))) {
                WsConsole.Closed closed = again.awaitClose(CLOSE_WITHIN);
                assertThat(closed.code()).isEqualTo(4401);
                assertThat(closed.reason()).contains("already used");
            }
        }
    }

    @Test
    @Order(3)
    void aTicketCannotOpenAnotherUsersConsole() throws Exception {
        String session1 = user1.path("sessionId").asText();
        HttpResponse<String> theirs = post(node(1), "/api/v1/sessions/" + session1 + "/console-ticket", "user2");
        assertThat(theirs.statusCode()).as("no ticket for another user's session").isEqualTo(404);
        JsonNode user2 = connect(node(1), "user2");
        String own = ticket(node(1), "user2", user2.path("sessionId").asText()).path("ticket").asText();
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(node(1).url(), "/console/" + session1 + "?ticket=" + own))) {
            WsConsole.Closed closed = ws.awaitClose(CLOSE_WITHIN);
            assertThat(closed.code()).isEqualTo(4401);
            assertThat(closed.reason()).contains("another session");
        }
    }

    @Test
    @Order(4)
    void aTicketExpiresAndIsGoodOnlyOnTheNodeThatIssuedIt() throws Exception {
        String session1 = user1.path("sessionId").asText();
        Node front = node(2);
        String expired = new ConsoleTickets(front.joinToken(), front.name())
                .issue(session1, "user1", System.currentTimeMillis() - 60_000, 30_000);
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(front.url(), "/console/" + session1 + "?ticket=" + expired))) {
            WsConsole.Closed closed = ws.awaitClose(CLOSE_WITHIN);
            assertThat(closed.code()).isEqualTo(4401);
            assertThat(closed.reason()).contains("expired");
        }
        String fromNode1 = ticket(node(1), "user1", session1).path("url").asText();
        try (WsConsole ws = WsConsole.open(WsConsole.wsUrl(front.url(), fromNode1))) {
            WsConsole.Closed closed = ws.awaitClose(CLOSE_WITHIN);
            assertThat(closed.code()).isEqualTo(4401);
            assertThat(closed.reason()).contains("issued by server 'node1'");
        }
    }

    @Test
    @Order(5)
    void loggingOffClosesTheConsole() throws Exception {
        JsonNode user3 = connect(node(1), "user3");
        String session = user3.path("sessionId").asText();
        Node front = notHosting(byName(user3.path("server").asText()));
        try (WsConsole ws = open(front, "user3", session)) {
            ws.rfb();
            HttpResponse<String> off = send(front, "DELETE", "/api/v1/sessions/" + session, "user3");
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            WsConsole.Closed closed = ws.awaitClose(CLOSE_WITHIN);
            assertThat(closed.code()).isEqualTo(4410);
            assertThat(closed.reason()).isEqualTo("Your session has ended.");
        }
    }

    @Test
    @Order(6)
    void aNativeViewerReachesADesktopOnAnotherServerThroughTheNodeItLoggedInTo() throws Exception {
        Node host = byName(user1.path("server").asText());
        Node front = notHosting(host);
        String session = user1.path("sessionId").asText();
        HttpResponse<String> vv = send(front, "POST", "/api/v1/sessions/" + session + "/connection-file", "user1");
        assertThat(vv.statusCode()).as(vv.body()).isEqualTo(200);
        assertThat(vv.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-virt-viewer");
        Map<String, String> file = keys(vv.body());
        assertThat(file).containsEntry("type", "vnc").containsEntry("host", "127.0.0.1")
                .containsEntry("port", Integer.toString(front.consoles().vncPort().orElseThrow()))
                .containsEntry("delete-this-file", "1");
        try (VncViewer viewer = VncViewer.connect(file.get("host"), Integer.parseInt(file.get("port")))) {
            VncViewer.Outcome o = viewer.login(file.get("password"), 8);
            assertThat(o.reason()).isNull();
            assertThat(o.desktopName()).isEqualTo("office (user1)");
            assertThat(viewer.requestUpdate(o.width(), o.height())).as("rectangles of the first update").isPositive();
            assertThat(front.consoles().scrape()).contains("outcome=\"admitted\"} 1.0");
            assertThat(host.consoles().scrape()).as("the host served the hop")
                    .contains("deskmesh_console_open{kind=\"host\",node=\"" + host.name() + "\"} 1.0");
            try (VncViewer again = VncViewer.connect(file.get("host"), Integer.parseInt(file.get("port")))) {
                VncViewer.Outcome twice = again.login(file.get("password"), 8);
                assertThat(twice.admitted()).as("a connection file works once").isFalse();
                assertThat(twice.reason()).contains("Wrong password");
            }
        }
        String fromHost = connectionFile(host, "user1", session).path("password").asText();
        try (VncViewer viewer = VncViewer.connect("127.0.0.1", front.consoles().vncPort().orElseThrow())) {
            VncViewer.Outcome o = viewer.login(fromHost, 8);
            assertThat(o.admitted()).as("a file is good only at the node that issued it").isFalse();
            assertThat(o.reason()).contains("not a connection file of server '" + front.name() + "'");
        }
    }

    @Test
    @Order(7)
    void aConnectionFileIsOnlyForTheSessionsUserAndExpires() throws Exception {
        String session1 = user1.path("sessionId").asText();
        HttpResponse<String> theirs = post(node(1), "/api/v1/sessions/" + session1 + "/connection-file", "user2");
        assertThat(theirs.statusCode()).as("no file for another user's session").isEqualTo(404);
        Node front = node(1);
        String expired = front.consoles().passwords().issue(session1, "user1", System.currentTimeMillis() - 120_000, 60_000);
        try (VncViewer viewer = VncViewer.connect("127.0.0.1", front.consoles().vncPort().orElseThrow())) {
            VncViewer.Outcome o = viewer.login(expired, 8);
            assertThat(o.admitted()).isFalse();
            assertThat(o.reason()).contains("has expired");
        }
    }

    @Test
    @Order(8)
    void loggingOffClosesTheNativeConsole() throws Exception {
        JsonNode user3 = connect(node(1), "user3");
        String session = user3.path("sessionId").asText();
        Node front = notHosting(byName(user3.path("server").asText()));
        JsonNode file = connectionFile(front, "user3", session);
        try (VncViewer viewer = VncViewer.connect(file.path("host").asText(), file.path("port").asInt())) {
            assertThat(viewer.login(file.path("password").asText(), 8).desktopName()).isEqualTo("office (user3)");
            HttpResponse<String> off = send(front, "DELETE", "/api/v1/sessions/" + session, "user3");
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            assertThat(viewer.closedByNode()).as("the node closed the viewer's connection").isTrue();
        }
    }

    @Test
    @Order(100)
    void killingTheHostingServerClosesTheConsoleWithAReasonThePageCanShow() throws Exception {
        Node host = byName(user1.path("server").asText());
        Node front = notHosting(host);
        try (WsConsole ws = open(front, "user1", user1.path("sessionId").asText())) {
            ws.rfb();
            host.close();
            WsConsole.Closed closed = ws.awaitClose(CLOSE_WITHIN);
            assertThat(closed.code()).isEqualTo(4502);
            assertThat(closed.reason()).contains("Server '" + host.name() + "'", "went away");
        }
        assertThat(front.consoles().openConsoles()).isZero();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static JsonNode connectionFile(Node front, String user, String sessionId) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(front.url() + "/api/v1/sessions/" + sessionId
                        + "/connection-file")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.get(user)).header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The keys of a {@code .vv} file's {@code [virt-viewer]} group. */
    private static Map<String, String> keys(String vv) {
        List<String> lines = vv.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        assertThat(lines.get(0)).isEqualTo("[virt-viewer]");
        Map<String, String> keys = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            keys.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
        }
        return keys;
    }

    private static Node node(int i) {
        return grid.nodes().get(i - 1);
    }

    private static Node byName(String name) {
        return grid.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static Node notHosting(Node host) {
        return grid.nodes().stream().filter(n -> n != host).findFirst().orElseThrow();
    }

    private static WsConsole open(Node front, String user, String sessionId) throws Exception {
        return WsConsole.open(WsConsole.wsUrl(front.url(), ticket(front, user, sessionId).path("url").asText()));
    }

    private static JsonNode ticket(Node front, String user, String sessionId) throws Exception {
        HttpResponse<String> r = post(front, "/api/v1/sessions/" + sessionId + "/console-ticket", user);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Connects the user to an office desktop, waiting (up to 30 s) for the pool to have one. */
    private static JsonNode connect(Node front, String user) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            HttpResponse<String> r = post(front, "/api/v1/desktops/office/connect", user);
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body());
            }
            if (r.statusCode() != 503 || System.currentTimeMillis() > deadline) {
                throw new AssertionError("connect of " + user + " failed: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(200);
        }
    }

    private static String login(Node node, String user) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", user,
                        "password", USER_PASSWORD)))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> post(Node node, String path, String user) throws Exception {
        return send(node, "POST", path, user);
    }

    private static HttpResponse<String> send(Node node, String method, String path, String user) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.get(user))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

}
