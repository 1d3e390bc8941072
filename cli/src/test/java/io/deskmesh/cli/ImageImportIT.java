package io.deskmesh.cli;

import io.deskmesh.testkit.LoopbackPorts;
import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.images.Qcow2Disks;
import io.deskmesh.node.demo.DemoGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deskmesh image import} against a real node (an in-process one-node demo grid): a real qcow2
 * lands and is listed, and refusals the node makes from the headers alone come back as the node's
 * message with exit code 1 (the CLI asks with Expect: 100-continue, so the body is never sent).
 */
class ImageImportIT {
    @TempDir
    static Path dir;
    static DemoGrid grid;
    static String url;
    static CliHarness cli;

    @BeforeAll
    static void start() throws Exception {
        int port = LoopbackPorts.demoGridBlock(1);
        DemoGrid.Options options = new DemoGrid.Options(1, null, port, "admin-password-1", "user-password-1", 1);
        grid = DemoGrid.create(options);
        url = grid.start(options).urls().getFirst();
        HttpClient http = HttpClient.newHttpClient();
        String login = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"admin-password-1\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        String token = Json.MAPPER.readTree(login).path("token").asText();
        int created = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/templates"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"kiosk\",\"cpus\":1,\"memoryMb\":512,"
                        + "\"baseImage\":\"kiosk-img\",\"desiredVms\":0}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
        assertThat(created).isEqualTo(201);
        cli = new CliHarness(dir.resolve("config")).loggedIn(url, token);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void aRealQcow2IsImportedListedAndRefusalsComeBackFromTheNode() throws Exception {
        Path disk = Qcow2Disks.create(dir, "kiosk", 8L << 20, 9);

        CliHarness.Run ok = cli.run("image", "import", disk.toString(), "--template", "kiosk");
        CliHarness.Run again = cli.run("image", "import", disk.toString(), "--template", "kiosk", "--version", "1");
        CliHarness.Run unknown = cli.run("image", "import", disk.toString(), "--template", "nope", "--image", "kiosk-img");
        CliHarness.Run list = cli.run("image", "list", "--output", "json");

        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).startsWith("imported kiosk-img@1 for template 'kiosk'").contains("the template now uses it");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("kiosk-img@1 is already registered");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("template 'nope' does not exist");
        JsonNode images = Json.MAPPER.readTree(list.out()).path("images");
        assertThat(images.toString()).contains("\"image\":\"kiosk-img\"");
    }
}
