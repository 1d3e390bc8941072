package io.deskmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.node.demo.DemoGrid;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One user cannot reach another user's desktop — its session, console or files — by the API or by
 * crafted paths ({@code ..}, percent-encoded separators and dots, NUL, symbolic links are covered by
 * {@code UserHomesTest}). A one-node sim grid: user1 holds a persistent desktop ({@code dev}), user2
 * tries everything against it; afterwards user1's session must be untouched.
 */
class DesktopIsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PASSWORD = "user-password-1";
    /** Not an HTTP status: the node closed the connection instead of answering. */
    private static final int CLOSED = -1;

    private static DemoGrid grid;
    private static Node node;
    private static String session1;
    private static String token1;
    private static String token2;

    @BeforeAll
    static void userOneHoldsAPersistentDesktop() throws Exception {
        DemoGrid.Options options = new DemoGrid.Options(1, null, io.deskmesh.testkit.LoopbackPorts.demoGridBlock(1), "admin-password-1",
                PASSWORD, 2);
        grid = DemoGrid.create(options);
        grid.start(options);
        node = grid.nodes().get(0);
        token1 = ApiLogin.token(node, "user1", PASSWORD);
        token2 = ApiLogin.token(node, "user2", PASSWORD);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> r;
        do {
            Thread.sleep(200);
            r = send("POST", "/api/v1/desktops/dev/connect", token1);
        } while (r.statusCode() == 503 && System.nanoTime() < deadline);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode connected = JSON.readTree(r.body());
        session1 = connected.path("sessionId").asText();
        assertThat(r.body()).as("no file path reaches a client").doesNotContain("/users/").doesNotContain(".qcow2");
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void anotherUsersSessionIsNotFoundByItsIdOrByCraftedPaths() throws Exception {
        for (String path : List.of("/api/v1/sessions/" + session1, "/api/v1/sessions/..%2F" + session1,
                "/api/v1/sessions/%2e%2e%2f" + session1, "/api/v1/sessions/" + session1 + "%00",
                "/api/v1/sessions/x/..%2f" + session1, "/api/v1/sessions/" + session1.toUpperCase())) {
            assertThat(status("DELETE", path)).as("DELETE %s", path).isIn(CLOSED, 400, 404, 405);
            assertThat(status("POST", path + "/disconnect")).as("disconnect %s", path).isIn(CLOSED, 400, 404, 405);
            assertThat(status("POST", path + "/console-ticket")).as("ticket %s", path).isIn(CLOSED, 400, 404, 405);
        }
        assertThat(node.image().sessions().get(session1)).as("user1's session is untouched").isPresent();
        HttpResponse<String> mine = send("GET", "/api/v1/sessions", token2);
        assertThat(mine.body()).doesNotContain(session1);
    }

    @Test
    void anotherUsersConsoleCannotBeOpenedWithOwnTicketOrCraftedPaths() throws Exception {
        for (String path : List.of("/console/" + session1, "/console/..%2F" + session1,
                "/console/%2e%2e/" + session1, "/console/" + session1 + "%00")) {
            assertThat(rawConsole(path + "?ticket=not-a-ticket")).as("console %s", path).isEqualTo("refused");
        }
        assertThat(node.image().sessions().get(session1)).isPresent();
        HttpResponse<String> own = send("POST", "/api/v1/sessions/" + session1 + "/console-ticket", token1);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(rawConsole(JSON.readTree(own.body()).path("url").asText())).as("its own user's console opens")
                .isEqualTo("opened");
    }

    @Test
    void desktopFilesAreNotServedAndTheirDirectoryIsClosed() throws Exception {
        Path users = node.imageStore().root().getParent().resolve("users");
        Path home = users.resolve("user1");
        if (Files.exists(home)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
        }
        for (String path : List.of("/internal/v1/images/..%2F..%2Fusers%2Fuser1/1",
                "/internal/v1/images/%2e%2e/%2e%2e/users/user1", "/internal/v1/images/../../users/user1/1",
                "/api/v1/../internal/v1/images/x/1", "/users/user1/")) {
            assertThat(status("GET", path)).as("GET %s", path).isIn(CLOSED, 400, 401, 403, 404, 405);
        }
    }

    /** The status user2 gets, or {@link #CLOSED} when the node closes the connection on the request. */
    private static int status(String method, String path) throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                return send(method, path, token2).statusCode();
            } catch (java.io.IOException e) {
                // a node closes the connection after a malformed request; a pooled connection may be that one
            }
        }
        return CLOSED;
    }


    private static HttpResponse<String> send(String method, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Opens a console WebSocket with the path sent byte for byte (no client normalises it): "refused"
     * when the node answers with an HTTP error or closes the socket (a close frame, or the connection)
     * before any desktop data, "opened" when the first frame carries data.
     */
    private static String rawConsole(String path) throws Exception {
        URI base = URI.create(node.url());
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token2 + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            for (int c; !head.toString().endsWith("\r\n\r\n"); ) {
                if ((c = in.read()) == -1) {
                    return "refused";
                }
                head.append((char) c);
            }
            if (!head.toString().startsWith("HTTP/1.1 101")) {
                return "refused";
            }
            int first = in.read();
            if (first == -1 || (first & 0x0F) == 0x8) {
                return "refused";  // closed, or a close frame
            }
            return "opened";
        }
    }
}
