package io.deskmesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.TemplateImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token-guarded operator endpoints on one real bootstrapped node: {@code POST
 * /internal/v1/commands} refuses a missing or wrong token and malformed bodies, and applies good
 * commands through the Raft write path; {@code POST /internal/v1/images/{image}/{version}/synthetic}
 * puts a base image on the node's disk and registers it.
 */
class InternalCommandsTest {
    private static final String TOKEN = "internal-commands-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path data;
    static Node node;

    @BeforeAll
    static void start() throws Exception {
        node = Node.start(new NodeConfig("n1", data.resolve("n1"), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort(),
                null, TOKEN, "sim", "", null, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void refusesRequestsWithoutTheGridToken() throws Exception {
        String drain = "{\"commands\":[{\"t\":4,\"b\":{\"name\":\"n1\"}}]}";
        assertThat(post("/internal/v1/commands", drain, null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post("/internal/v1/commands", drain, "not-the-grid-token");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("BAD_TOKEN");
        assertThat(post("/internal/v1/images/win11/1/synthetic", "", "not-the-grid-token").statusCode()).isEqualTo(401);
        assertThat(node.image().servers().get("n1").orElseThrow().draining()).as("nothing applied").isFalse();
    }

    @Test
    void refusesMalformedBodiesWithAClearMessage() throws Exception {
        HttpResponse<String> notJson = post("/internal/v1/commands", "{not json", TOKEN);
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON");

        HttpResponse<String> noList = post("/internal/v1/commands", "{\"cmds\":[]}", TOKEN);
        assertThat(noList.statusCode()).isEqualTo(400);
        assertThat(noList.body()).contains("'commands'");

        HttpResponse<String> unknown = post("/internal/v1/commands", "{\"commands\":[{\"t\":999,\"b\":{}}]}", TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("commands[0]", "999", "unknown", "20 (CREATE_TEMPLATE)");

        HttpResponse<String> badBody = post("/internal/v1/commands",
                "{\"commands\":[{\"t\":4,\"b\":{\"name\":\"n1\"}},{\"t\":20,\"b\":{\"spec\":{\"cpus\":\"two\"}}}]}", TOKEN);
        assertThat(badBody.statusCode()).isEqualTo(400);
        assertThat(badBody.body()).contains("commands[1]", "CREATE_TEMPLATE");
        assertThat(node.image().servers().get("n1").orElseThrow().draining())
                .as("a request with one bad command applies none").isFalse();

        assertThat(post("/internal/v1/images/Bad%20Name/1/synthetic", "", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/internal/v1/images/win11/1/synthetic?size=-1", "", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void appliesGoodCommandsAndAnswersWithTheirReplies() throws Exception {
        HttpResponse<String> imported = post("/internal/v1/images/office-img/1/synthetic?size=65536", "", TOKEN);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        JsonNode manifest = JSON.readTree(imported.body());
        assertThat(manifest.path("sizeBytes").asLong()).isEqualTo(65_536);
        assertThat(manifest.path("replies").path("r").get(0).path("k").asText()).isEqualTo("Created");
        ImageRef ref = new ImageRef("office-img", 1);
        assertThat(node.imageStore().has(ref)).isTrue();
        assertThat(Files.isRegularFile(data.resolve("n1/images/office-img/1/disk.qcow2"))).isTrue();
        assertThat(node.image().images().hasLanded(ref, "n1")).isTrue();
        assertThat(post("/internal/v1/images/office-img/1/synthetic?size=65536", "", TOKEN).statusCode())
                .as("importing twice").isEqualTo(409);

        String template = "{\"t\":20,\"b\":{\"spec\":{\"name\":\"office\",\"cpus\":2,\"memoryMb\":2048,"
                + "\"baseImage\":\"office-img\",\"imageVersion\":0,\"pool\":\"NON_PERSISTENT\","
                + "\"desiredVms\":{\"count\":0,\"auto\":false},\"spareVms\":0,\"minReplicas\":1,"
                + "\"idleTimeoutSeconds\":0,\"disconnectTimeoutSeconds\":0}}}";
        HttpResponse<String> created = post("/internal/v1/commands", "{\"commands\":[" + template + "," + template + "]}", TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode replies = JSON.readTree(created.body()).path("r");
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0).path("k").asText()).isEqualTo("Created");
        assertThat(replies.get(0).path("id").asText()).isEqualTo("office");
        assertThat(replies.get(1).path("k").asText()).as("the second create is refused").isEqualTo("Failed");
        assertThat(replies.get(1).path("code").asText()).isEqualTo("CONFLICT");

        TemplateImage office = node.image().templates().get("office").orElseThrow();
        assertThat(office.spec().imageVersion()).as("version 0 resolves to the newest").isEqualTo(1);
    }

    private static HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
