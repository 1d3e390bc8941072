package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.images.LocalImageStore;
import io.deskmesh.images.Qcow2Disks;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.node.Node;
import io.deskmesh.node.api.ApiClient.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Importing real qcow2 disks through the admin API of a two-node grid: the refusals, then a first
 * version that spreads to the other node, a second version (1% of its clusters changed) that moves
 * as a difference and lands byte-identical, and the first version's copies collected once nothing
 * uses them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageApiIT {
    private static final long GUEST = 16L << 20;
    static ApiGrid grid;
    static ApiClient api;
    static String admin;
    @TempDir
    static Path tmp;
    static Path v1;
    static Path v2;

    @BeforeAll
    static void start() throws Exception {
        grid = ApiGrid.start(2, 1);
        api = grid.node(1);
        admin = api.login("admin", ApiGrid.ADMIN_PASSWORD);
        v1 = Qcow2Disks.create(tmp, "v1", GUEST, 3);
        v2 = Qcow2Disks.changed(v1, tmp.resolve("v2.qcow2"), GUEST, (int) (GUEST / Qcow2Disks.CLUSTER / 100));
        Map<String, Object> kiosk = new LinkedHashMap<>();
        kiosk.put("name", "kiosk");
        kiosk.put("cpus", 1);
        kiosk.put("memoryMb", 512);
        kiosk.put("baseImage", "kiosk-img");
        kiosk.put("desiredVms", 0);
        kiosk.put("minReplicas", 2);
        assertThat(api.post("/api/v1/templates").token(admin).json(kiosk).send().status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    private static Answer upload(String image, String query, byte[] body, String sha, String type) {
        ApiClient.Call c = api.post("/api/v1/images/" + image + "/versions" + query).token(admin).raw(body, type);
        if (sha != null) {
            c.header("X-DeskMesh-Sha256", sha);
        }
        return c.send();
    }

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static void assertError(Answer a, int status, String code, String... fragments) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.json().path("error").path("code").asText()).isEqualTo(code);
        for (String f : fragments) {
            assertThat(a.json().path("error").path("message").asText()).contains(f);
        }
    }

    @Test
    @Order(1)
    void wrongImportsAreRefusedWithWhatWasWrongAndNothingIsStored() throws Exception {
        byte[] disk = Files.readAllBytes(v1);
        String sha = sha(disk);
        String octets = "application/octet-stream";
        assertError(upload("kiosk-img", "", disk, sha, octets), 400, "INVALID", "'template' is required");
        assertError(upload("kiosk-img", "?template=nope", disk, sha, octets), 404, "NOT_FOUND", "'nope'");
        assertError(upload("Bad..Name", "?template=kiosk", disk, sha, octets), 400, "INVALID", "Bad..Name");
        assertError(upload("other-img", "?template=kiosk", disk, sha, octets), 409, "CONFLICT", "'kiosk-img'");
        assertError(upload("kiosk-img", "?template=kiosk&format=vmdk", disk, sha, octets), 400, "INVALID", "vmdk");
        assertError(upload("kiosk-img", "?template=kiosk", disk, sha, "application/json"), 415,
                "UNSUPPORTED_MEDIA_TYPE", "application/octet-stream");
        assertError(upload("kiosk-img", "?template=kiosk", disk, null, octets), 400, "INVALID", "X-DeskMesh-Sha256");
        assertError(upload("kiosk-img", "?template=kiosk", disk, "0".repeat(64), octets), 400, "INVALID",
                "does not match", "0".repeat(64));
        byte[] text = "not a disk at all\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        assertError(upload("kiosk-img", "?template=kiosk", text, sha(text), octets), 400, "BAD_FORMAT", "not a qcow2");
        assertError(shortBody(disk, sha), 400, "INVALID", "broke off");
        for (Node n : grid.servers()) {
            assertThat(n.imageStore().list()).noneMatch(m -> m.image().equals("kiosk-img"));
        }
        assertThat(grid.server(1).image().images().latest("kiosk-img")).isEmpty();
    }

    @Test
    @Order(2)
    void aFirstVersionIsStoredRegisteredAndCopiedToTheOtherNode() throws Exception {
        byte[] disk = Files.readAllBytes(v1);
        JsonNode a = imported(disk, 1);

        assertThat(a.path("parentVersion").asInt()).isZero();
        assertThat(a.path("sha256").asText()).isEqualTo(sha(disk));
        awaitLandedEverywhere(new ImageRef("kiosk-img", 1), sha(disk));
        assertError(upload("kiosk-img", "?template=kiosk&version=1", disk, sha(disk), "application/octet-stream"),
                409, "CONFLICT", "already registered", "version 2");
    }

    @Test
    @Order(3)
    void aSecondVersionMovesAsADifferenceLandsIdenticalAndTheFirstIsCollected() throws Exception {
        byte[] disk = Files.readAllBytes(v2);
        JsonNode a = imported(disk, 2);

        assertThat(a.path("parentVersion").asInt()).isEqualTo(1);
        ImageRef ref2 = new ImageRef("kiosk-img", 2);
        awaitLandedEverywhere(ref2, sha(disk));
        assertThat(grid.server(1).image().templates().get("kiosk").orElseThrow().spec().imageVersion()).isEqualTo(2);
        // The receiving node got it as a difference: far less than the whole disk crossed the network.
        Node receiver = grid.servers().stream().filter(n -> !n.imageStore().manifest(ref2).orElseThrow()
                .templateName().isPresent()).findFirst().orElseThrow();
        String metrics = grid.node(grid.servers().indexOf(receiver) + 1).get("/metrics").send().body();
        assertThat(counter(metrics, "deskmesh_image_fetches_total", "difference")).isEqualTo(1);
        assertThat(counter(metrics, "deskmesh_image_fetch_bytes_received_total", "difference"))
                .isPositive().isLessThan(disk.length / 20);
        // Nothing uses version 1 any more: both copies go, and the grid records it.
        ImageRef ref1 = new ImageRef("kiosk-img", 1);
        ApiGrid.await(() -> grid.servers().stream().allMatch(n -> !n.imageStore().has(ref1)
                && n.image().images().replicas(ref1).isEmpty()), "version 1 to be collected", 30_000);
    }

    /** Imports the disk for template kiosk, expecting it to become the given version the template moves to. */
    private static JsonNode imported(byte[] disk, int version) throws Exception {
        Answer a = upload("kiosk-img", "?template=kiosk", disk, sha(disk), "application/octet-stream");
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        assertThat(a.json().path("version").asInt()).isEqualTo(version);
        assertThat(a.json().path("templateMoved").asBoolean()).isTrue();
        return a.json();
    }

    private static void awaitLandedEverywhere(ImageRef ref, String sha) throws InterruptedException {
        ApiGrid.await(() -> grid.servers().stream().allMatch(n -> {
            LocalImageStore s = n.imageStore();
            return s.manifest(ref).map(m -> m.sha256().equals(sha)).orElse(false)
                    && n.image().images().replicas(ref).values().stream().filter(r -> r.landed()).count() == 2;
        }), ref + " on both nodes", 30_000);
        JsonNode list = api.get("/api/v1/images").token(admin).send().json();
        assertThat(list.path("images").toString()).contains("\"kiosk-img\"");
    }

    private static long counter(String metrics, String name, String mode) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{mode=\"" + mode + "\"} (\\d+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in " + metrics).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Announces the whole disk but sends half of it, then closes its side, as a client cut off would. */
    private static Answer shortBody(byte[] disk, String sha) throws IOException {
        URI base = URI.create(grid.node(1).url);
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = s.getOutputStream();
            String head = "POST /api/v1/images/kiosk-img/versions?template=kiosk HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + admin + "\r\nContent-Type: application/octet-stream\r\n"
                    + "X-DeskMesh-Sha256: " + sha + "\r\nContent-Length: " + disk.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(disk, 0, disk.length / 2);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            if (response.toLowerCase().contains("transfer-encoding: chunked")) {
                body = body.substring(body.indexOf("\r\n") + 2, body.lastIndexOf("}") + 1);
            }
            return new Answer(status, body, Map.of());
        }
    }
}
