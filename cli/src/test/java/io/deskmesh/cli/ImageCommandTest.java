package io.deskmesh.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code deskmesh image import} against a stub API: what is checked locally, what is sent, what is printed. */
class ImageCommandTest {
    static final String IMPORTED = """
            {"image":"kiosk-img","version":3,"template":"kiosk","templateMoved":true,"sizeBytes":1048576,\
            "sha256":"%s","parentVersion":2,"format":"qcow2","uploadedBytes":1048576}""";

    @TempDir
    Path dir;
    StubApi api;
    CliHarness cli;
    Path disk;
    String sha;

    @BeforeEach
    void setUp() throws Exception {
        api = new StubApi();
        cli = new CliHarness(dir).loggedIn(api.url(), "tok");
        byte[] bytes = new byte[4096];
        System.arraycopy(new byte[]{'Q', 'F', 'I', (byte) 0xfb}, 0, bytes, 0, 4);
        bytes[100] = 42;
        disk = Files.write(dir.resolve("kiosk.qcow2"), bytes);
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void importStreamsTheFileToTheTemplatesBaseImageWithItsChecksum() throws IOException {
        api.on("GET", "/api/v1/templates/kiosk", "{\"name\":\"kiosk\",\"baseImage\":\"kiosk-img\"}");
        api.on("POST", "/api/v1/images/kiosk-img/versions?template=kiosk&format=qcow2", 201, IMPORTED.formatted(sha));

        CliHarness.Run r = cli.run("image", "import", disk.toString(), "--template", "kiosk");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.lines()).containsExactly("GET /api/v1/templates/kiosk",
                "POST /api/v1/images/kiosk-img/versions?template=kiosk&format=qcow2");
        StubApi.Request post = api.requests().get(1);
        assertThat(post.authorization()).isEqualTo("Bearer tok");
        assertThat(post.contentType()).isEqualTo("application/octet-stream");
        assertThat(post.headers().get("X-deskmesh-sha256")).isEqualTo(List.of(sha));
        assertThat(post.body().getBytes(StandardCharsets.ISO_8859_1)).hasSize(4096);
        assertThat(r.out()).isEqualTo("imported kiosk-img@3 for template 'kiosk': 1.0 MiB, sha256 " + sha
                + ", parent version 2; the template now uses it; 'deskmesh image list' shows its copies\n");
    }

    @Test
    void importWithImageAndVersionSendsThemAndPrintsJsonOnRequest() {
        api.on("POST", "/api/v1/images/kiosk-img/versions?template=kiosk&version=3&format=qcow2", 201,
                IMPORTED.formatted(sha));

        CliHarness.Run r = cli.run("image", "import", disk.toString(), "--template", "kiosk", "--image", "kiosk-img",
                "--version", "3", "--output", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(api.lines()).containsExactly("POST /api/v1/images/kiosk-img/versions?template=kiosk&version=3&format=qcow2");
        assertThat(r.out()).contains("\"templateMoved\": true");
    }

    @Test
    void aFileThatIsNotQcow2IsRefusedBeforeAnythingIsSent() throws IOException {
        Path raw = Files.write(dir.resolve("disk.raw"), new byte[2048]);

        CliHarness.Run r = cli.run("image", "import", raw.toString(), "--template", "kiosk");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("is not a qcow2 disk").contains("--format raw");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aMissingFileAndABadVersionAreRefusedBeforeAnythingIsSent() {
        CliHarness.Run missing = cli.run("image", "import", dir.resolve("nope.qcow2").toString(), "--template", "kiosk");
        CliHarness.Run version = cli.run("image", "import", disk.toString(), "--template", "kiosk", "--version", "0");
        CliHarness.Run format = cli.run("image", "import", disk.toString(), "--template", "kiosk", "--format", "vmdk");

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.qcow2").contains("not a readable file");
        assertThat(version.exitCode()).isEqualTo(2);
        assertThat(version.err()).contains("--version must be 1 or more");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("'vmdk' is not supported");
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void theNodesRefusalIsPrintedWithExitCode1() {
        api.error("POST", "/api/v1/images/kiosk-img/versions?template=kiosk&format=qcow2", 409, "CONFLICT",
                "base image kiosk-img@3 is already registered");

        CliHarness.Run r = cli.run("image", "import", disk.toString(), "--template", "kiosk", "--image", "kiosk-img");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("kiosk-img@3 is already registered");
    }
}
