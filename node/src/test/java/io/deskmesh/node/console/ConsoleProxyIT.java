package io.deskmesh.node.console;

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

import java.net.InetAddress;
import java.net.ServerSocket;
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
        DemoGrid.Options options = new DemoGrid.Options(3, null, freePortBlock(3), ADMIN_PASSWORD, USER_PASSWORD, 3);
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

    private static int freePortBlock(int nodes) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + (int) (Math.random() * 30_000);
            boolean ok = true;
            for (int i = 0; i < nodes && ok; i++) {
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
}
