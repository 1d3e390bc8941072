package io.deskmesh.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.node.Node;
import io.deskmesh.node.demo.DemoGrid;
import io.deskmesh.testkit.LoopbackPorts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real three-node demo grid on loopback ({@link DemoGrid}: Raft, HTTP, sim hosts with RFB consoles,
 * seeded admin, users user1..user3 in group 'staff', templates 'office' and 'dev'), plus the few REST
 * calls the browser tests use to set up and to check outcomes. Not thread-safe.
 */
final class WebGrid implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-password-1";
    static final String USER_PASSWORD = "user-password-1";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final DemoGrid grid;

    private WebGrid(DemoGrid grid) {
        this.grid = grid;
    }

    static WebGrid start() throws Exception {
        DemoGrid.Options options = new DemoGrid.Options(3, null, LoopbackPorts.demoGridBlock(3), ADMIN_PASSWORD, USER_PASSWORD, 3);
        DemoGrid grid = DemoGrid.create(options);
        try {
            grid.start(options);
        } catch (Exception e) {
            grid.close();
            throw e;
        }
        return new WebGrid(grid);
    }

    Node node(int i) {
        return grid.nodes().get(i - 1);
    }

    Node byName(String name) {
        return grid.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** A bearer token for the user (the admin's password for "admin", the demo users' otherwise). */
    String login(Node node, String user) throws Exception {
        return login(node, user, user.equals(DemoGrid.ADMIN) ? ADMIN_PASSWORD : USER_PASSWORD);
    }

    String login(Node node, String user, String password) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("username", user,
                        "password", password)))).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("login of " + user + " failed: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).path("token").asText();
    }

    /** {@code GET path} with the token; the answer's JSON, or an AssertionError with the status and body. */
    JsonNode get(Node node, String path, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Where the tests save screenshots for the README (docs/screenshots at the repository root). */
    static Path screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("deskmesh.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        return dir.resolve(name + ".png");
    }

    /**
     * Elements reaching past the page's right edge (so it would scroll sideways), as tag#id.class; none is good.
     * What is inside a box that scrolls by itself (a panel, a table's own box, the desktop's screen) does not count.
     */
    @SuppressWarnings("unchecked")
    static java.util.List<String> overflowing(com.microsoft.playwright.Page page) {
        return (java.util.List<String>) page.evaluate("""
                () => [...document.querySelectorAll('body *')]
                    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                        && !(e.parentElement && e.parentElement.closest('.panel, .screen, .table-wrap')))
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''))
                    .slice(0, 10)""");
    }

    @Override
    public void close() {
        grid.close();
    }
}
