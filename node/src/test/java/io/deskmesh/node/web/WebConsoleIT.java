package io.deskmesh.node.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.node.demo.DemoGrid;
import io.deskmesh.testkit.LoopbackPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web side of a real one-node grid over HTTP: pages and assets from the jar with their security
 * headers, paths that must not escape the asset folder, and the admin's live grid stream (who may open
 * it, what its events carry, a change arriving, and the stream ending at logout and when its user's
 * password, role or account changes).
 */
class WebConsoleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ExecutorService READER = Executors.newVirtualThreadPerTaskExecutor();
    private static DemoGrid grid;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        DemoGrid.Options options = new DemoGrid.Options(1, null, LoopbackPorts.demoGridBlock(1), "admin-password-1",
                "user-password-1", 1);
        grid = DemoGrid.create(options);
        url = grid.start(options).urls().get(0);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void pagesComeFromTheJarWithAStrictPolicyAndNoInlineCode() throws Exception {
        for (String page : new String[]{"/", "/admin"}) {
            HttpResponse<String> r = get(page, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(type(r)).isEqualTo("text/html;charset=utf-8");
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(WebRoutes.CSP);
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(r.body()).contains("<script type=\"module\" src=\"/web/js/")
                    .doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
                    .doesNotContain("style=").doesNotContain("<style").doesNotContain("http://").doesNotContain("https://");
        }
        assertThat(WebRoutes.CSP).contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe");
    }

    @Test
    void noVncAndTheScriptsAreServedWithTheirTypes() throws Exception {
        HttpResponse<String> rfb = get("/web/novnc/core/rfb.js", null);
        assertThat(rfb.statusCode()).isEqualTo(200);
        assertThat(type(rfb)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(rfb.body()).contains("export default class RFB");
        assertThat(get("/web/novnc/vendor/pako/lib/zlib/inflate.js", null).statusCode()).isEqualTo(200);
        assertThat(type(get("/web/style.css", null))).isEqualTo("text/css;charset=utf-8");
        assertThat(type(get("/web/favicon.svg", null))).isEqualTo("image/svg+xml");
    }

    @Test
    void assetPathsStayInsideTheWebFolder() throws Exception {
        for (String path : new String[]{"/web/..%2Fopenapi.json", "/web/js/../../openapi.json", "/web/%2e%2e/openapi.json",
                "/web/novnc/LICENSE.txt", "/web/nope.js", "/web/.hidden.js", "/web/js//api.js"}) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).doesNotContain("\"openapi\"");
        }
    }

    @Test
    void apiAnswersCarryTheHardeningHeadersToo() throws Exception {
        HttpResponse<String> r = get("/api/v1/cluster", null);
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(WebRoutes.CSP);
    }

    @Test
    void theGridStreamIsForAdminsOnly() throws Exception {
        HttpResponse<String> anonymous = get(GridStream.PATH, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(anonymous.body()).path("error").path("code").asText()).isEqualTo("UNAUTHENTICATED");
        HttpResponse<String> user = get(GridStream.PATH, login("user1", "user-password-1"));
        assertThat(user.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(user.body()).path("error").path("code").asText()).isEqualTo("FORBIDDEN");
    }

    @Test
    void theStreamSendsTheGridAtOnceThenEachChangeAndEndsAtLogout() throws Exception {
        String token = login("admin", "admin-password-1");
        HttpResponse<InputStream> r = HTTP.send(request(GridStream.PATH, token).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode first = nextGridEvent(in);
            assertThat(first.path("cluster").path("servers").get(0).path("name").asText()).isEqualTo("node1");
            assertThat(first.path("cluster").path("templates")).hasSize(2);
            assertThat(first.path("history")).hasSize(GridHistory.MINUTES);
            long index = first.path("cluster").path("index").asLong();

            send("POST", "/api/v1/groups", token, "{\"name\":\"night-shift\",\"members\":[]}");
            JsonNode next = nextGridEvent(in);
            while (next.path("cluster").path("index").asLong() <= index) {
                next = nextGridEvent(in);
            }
            assertThat(next.path("cluster").path("index").asLong()).isGreaterThan(index);

            assertThat(send("POST", "/api/v1/auth/logout", token, null).statusCode()).isEqualTo(204);
            Future<Boolean> ended = READER.submit(() -> {
                while (in.readLine() != null) {
                    // events already on their way, then the end of the stream
                }
                return true;
            });
            assertThat(ended.get(30, TimeUnit.SECONDS)).as("the stream ended after logout").isTrue();
        }
    }

    @Test
    void aStreamEndsWhenItsUsersPasswordChangesOrTheyAreDemotedOrDeleted() throws Exception {
        String admin = login("admin", "admin-password-1");
        Map<String, String> changes = Map.of(
                "password", "{\"password\":\"a-new-password-1\"}",
                "demotion", "{\"role\":\"user\"}",
                "deletion", "");
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String name = "watcher-" + change.getKey();
            assertThat(send("POST", "/api/v1/users", admin, JSON.writeValueAsString(Map.of("name", name,
                    "password", "watch-password-1", "role", "admin"))).statusCode()).isEqualTo(201);
            String token = login(name, "watch-password-1");
            HttpResponse<InputStream> r = HTTP.send(request(GridStream.PATH, token).header("Accept", "text/event-stream")
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                nextGridEvent(in);
                if (change.getValue().isEmpty()) {
                    assertThat(send("DELETE", "/api/v1/users/" + name, admin, null).statusCode()).isEqualTo(204);
                } else {
                    assertThat(send("PUT", "/api/v1/users/" + name, admin, change.getValue()).statusCode()).isEqualTo(200);
                }
                Future<Boolean> ended = READER.submit(() -> {
                    while (in.readLine() != null) {
                        // events already on their way, then the end of the stream
                    }
                    return true;
                });
                assertThat(ended).as("the stream ended within 30 s of the " + change.getKey())
                        .succeedsWithin(Duration.ofSeconds(30));
            }
        }
    }

    /** Reads up to the next 'grid' event and returns its data (waits at most 30 s). */
    private static JsonNode nextGridEvent(BufferedReader in) throws Exception {
        Future<JsonNode> next = READER.submit(() -> {
            String event = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "grid".equals(event)) {
                    return JSON.readTree(line.substring(5).trim());
                }
            }
            throw new AssertionError("the stream ended before a grid event");
        });
        return next.get(30, TimeUnit.SECONDS);
    }

    /** The Content-Type without spaces (Jetty writes "text/html;charset=utf-8"). */
    private static String type(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String login(String user, String password) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/auth/login", null,
                JSON.writeValueAsString(Map.of("username", user, "password", password)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return HTTP.send(request(path, token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = request(path, token).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
