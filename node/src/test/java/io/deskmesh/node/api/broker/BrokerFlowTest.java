package io.deskmesh.node.api.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.model.codec.Json;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.Node;
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
 * Brokering end to end on one real three-node grid (each test on its own template and users):
 * listing desktops, persistent desktops kept per user, non-persistent desktops regenerated before
 * reuse, the disconnect timeout, who may see and end which session, and the node's own routes.
 */
class BrokerFlowTest {
    @TempDir
    static Path data;
    static BrokerGrid grid;

    @BeforeAll
    static void startGrid() throws Exception {
        grid = BrokerGrid.start(data, 3, new Capacity(16, 65_536, 1_000_000), BrokerSettings.DEFAULTS);
        grid.pool(spec("dev", PoolKind.PERSISTENT, 2, 0));
        grid.pool(spec("kiosk", PoolKind.NON_PERSISTENT, 1, 0));
        grid.pool(spec("brief", PoolKind.NON_PERSISTENT, 2, 2));
        grid.pool(spec("shared", PoolKind.NON_PERSISTENT, 3, 0));
        grid.ok(new CreateUserCommand("boss", BrokerGrid.PASSWORD_HASH, Role.ADMIN, ""));
    }

    @AfterAll
    static void stopGrid() {
        if (grid != null) {
            grid.close();
        }
    }

    private static TemplateSpec spec(String name, PoolKind pool, int vms, int disconnectTimeoutSeconds) {
        return new TemplateSpec(name, 1, 256, name, 0, pool, DesiredVms.of(vms), 0, 1, 0, disconnectTimeoutSeconds);
    }

    @Test
    void aPersistentDesktopIsItsUsersAcrossSessionsAndNobodyElses() throws Exception {
        grid.users("p", 3, "dev");
        BrokerGrid.Answer first = grid.connect(0, "p1", "dev");
        assertThat(first.status()).isEqualTo(200);
        String own = first.get("vm");
        assertThat(grid.call(1, "DELETE", "/api/v1/sessions/" + first.get("sessionId"), "p1").status()).isEqualTo(200);
        assertThat(grid.node(1).image().vms().get(own).orElseThrow().owner()).isEqualTo("p1");

        BrokerGrid.Answer other = grid.connect(1, "p2", "dev");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.get("vm")).isNotEqualTo(own);
        BrokerGrid.Answer none = grid.connect(2, "p3", "dev");
        assertThat(none.status()).isEqualTo(503);
        assertThat(none.error()).isEqualTo("NO_DESKTOP");

        BrokerGrid.Answer again = grid.connect(2, "p1", "dev");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.get("vm")).isEqualTo(own);
        assertThat(again.get("sessionId")).isNotEqualTo(first.get("sessionId"));
        assertThat(again.body().path("reconnect").asBoolean()).isFalse();
    }

    @Test
    void aNonPersistentDesktopIsRegeneratedAfterLogOffBeforeAnyoneElseGetsIt() throws Exception {
        grid.users("k", 2, "kiosk");
        BrokerGrid.Answer first = grid.connect(0, "k1", "kiosk");
        assertThat(first.status()).isEqualTo(200);
        String vm = first.get("vm");
        // The host reports the VM started without the connect waiting for that write: wait for it.
        long until = System.currentTimeMillis() + 10_000;
        while (grid.node(0).image().vms().get(vm).orElseThrow().state() != VmState.RUNNING
                && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertThat(grid.node(0).image().vms().get(vm).orElseThrow().state()).isEqualTo(VmState.RUNNING);
        // Hold the host's hypervisor so the regeneration cannot finish before we look.
        SimDriver host = (SimDriver) grid.node(grid.indexOf(first.get("server"))).driver();
        host.hang();
        try {
            assertThat(grid.call(1, "DELETE", "/api/v1/sessions/" + first.get("sessionId"), "k1").body()
                    .path("state").asText()).isEqualTo("ended");
            assertThat(grid.node(1).image().vms().get(vm).orElseThrow().state()).isEqualTo(VmState.DIRTY);
            BrokerGrid.Answer tooSoon = grid.connect(1, "k2", "kiosk");
            assertThat(tooSoon.status()).isEqualTo(503);
            assertThat(tooSoon.error()).isEqualTo("NO_DESKTOP");
            assertThat(tooSoon.message()).contains("0 of 1 VMs in use or not ready");
        } finally {
            host.unhang();
        }
        grid.await(() -> {
            ClusterImage image = grid.node(2).image();
            VmImage v = image.vms().get(vm).orElseThrow();
            return (v.state() == VmState.STOPPED || v.state() == VmState.RUNNING)
                    && v.imageVersion() == image.templates().get("kiosk").orElseThrow().spec().imageVersion();
        }, "VM " + vm + " regenerated", 20_000);

        BrokerGrid.Answer next = grid.connect(2, "k2", "kiosk");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.get("vm")).isEqualTo(vm);
    }

    @Test
    void aDisconnectedSessionIsLoggedOffAfterTheDisconnectTimeoutUnlessItsUserReturns() throws Exception {
        grid.users("b", 2, "brief");
        BrokerGrid.Answer gone = grid.connect(0, "b1", "brief");
        BrokerGrid.Answer kept = grid.connect(1, "b2", "brief");
        assertThat(gone.status()).isEqualTo(200);
        assertThat(kept.status()).isEqualTo(200);
        BrokerGrid.Answer off = grid.call(2, "POST", "/api/v1/sessions/" + gone.get("sessionId") + "/disconnect", "b1");
        assertThat(off.status()).isEqualTo(200);
        assertThat(off.get("state")).isEqualTo("disconnected");
        long disconnectedAt = System.currentTimeMillis();
        long since = grid.node(2).image().sessions().get(gone.get("sessionId")).orElseThrow().since();
        assertThat(grid.call(0, "POST", "/api/v1/sessions/" + kept.get("sessionId") + "/disconnect", "b2").status())
                .isEqualTo(200);
        BrokerGrid.Answer back = grid.connect(0, "b2", "brief");
        assertThat(back.get("sessionId")).isEqualTo(kept.get("sessionId"));
        assertThat(back.body().path("reconnect").asBoolean()).isTrue();

        Thread.sleep(Math.max(0, 1_000 - (System.currentTimeMillis() - disconnectedAt)));
        assertThat(grid.image().sessions().get(gone.get("sessionId"))).as("within the 2 s timeout").isPresent();
        grid.await(() -> grid.image().sessions().get(gone.get("sessionId")).isEmpty(), "the disconnected session to expire",
                10_000);
        assertThat(grid.image().at() - since).as("log time from disconnect to expiry").isGreaterThanOrEqualTo(2_000);
        assertThat(grid.image().sessions().get(kept.get("sessionId"))).as("the reconnected session").isPresent();
        assertThat(grid.image().vms().get(gone.get("vm")).orElseThrow().sessionId()).isNull();
    }

    @Test
    void usersSeeTheirDesktopsAndOnlyTheirOwnSessions() throws Exception {
        grid.users("v", 2, "shared");
        assertThat(grid.call(0, "GET", "/api/v1/desktops", null).status()).isEqualTo(401);
        assertThat(grid.connect(0, null, "shared").status()).isEqualTo(401);
        BrokerGrid.Answer forbidden = grid.connect(0, "v1", "kiosk");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.error()).isEqualTo("NOT_ENTITLED");
        assertThat(grid.connect(0, "v1", "nope").status()).isEqualTo(404);

        BrokerGrid.Answer before = grid.call(1, "GET", "/api/v1/desktops", "v1");
        assertThat(before.status()).isEqualTo(200);
        assertThat(before.body().path("desktops")).hasSize(1);
        assertThat(before.body().path("desktops").get(0).path("template").asText()).isEqualTo("shared");
        assertThat(before.body().path("desktops").get(0).path("pool").asText()).isEqualTo("non-persistent");
        assertThat(before.body().path("desktops").get(0).path("total").asInt()).isEqualTo(3);
        assertThat(before.body().path("desktops").get(0).path("free").asInt()).isEqualTo(3);
        assertThat(before.body().path("desktops").get(0).path("available").asBoolean()).isTrue();
        assertThat(before.body().path("sessions")).isEmpty();

        BrokerGrid.Answer mine = grid.connect(1, "v1", "shared");
        String id = mine.get("sessionId");
        BrokerGrid.Answer after = grid.call(1, "GET", "/api/v1/desktops", "v1");
        assertThat(after.body().path("desktops").get(0).path("free").asInt()).isEqualTo(2);
        assertThat(after.body().path("desktops").get(0).path("sessionId").asText()).isEqualTo(id);
        assertThat(after.body().path("sessions")).hasSize(1);
        assertThat(after.body().path("sessions").get(0).path("state").asText()).isEqualTo("connected");
        assertThat(after.body().path("sessions").get(0).path("console").path("url").asText()).isEqualTo("/console/" + id);

        assertThat(grid.call(1, "GET", "/api/v1/sessions", "v1").body().path("sessions")).hasSize(1);
        assertThat(grid.call(1, "GET", "/api/v1/sessions", "v2").body().path("sessions")).isEmpty();
        assertThat(grid.call(1, "GET", "/api/v1/sessions?user=v1", "v2").body().path("sessions")).isEmpty();
        assertThat(grid.call(1, "GET", "/api/v1/sessions?user=v1&template=shared", "boss").body().path("sessions"))
                .singleElement().satisfies(s -> assertThat(s.path("id").asText()).isEqualTo(id));
        assertThat(grid.call(1, "GET", "/api/v1/sessions?user=v1&server=nowhere", "boss").body().path("sessions")).isEmpty();
        assertThat(grid.call(1, "GET", "/api/v1/sessions?state=asleep", "boss").status()).isEqualTo(400);

        BrokerGrid.Answer hidden = grid.call(2, "DELETE", "/api/v1/sessions/" + id, "v2");
        BrokerGrid.Answer absent = grid.call(2, "DELETE", "/api/v1/sessions/s-nope-0", "v2");
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.message()).isEqualTo(absent.message().replace("s-nope-0", id));
        assertThat(grid.call(2, "POST", "/api/v1/sessions/" + id + "/disconnect", "v2").status()).isEqualTo(404);
        assertThat(grid.image().sessions().get(id)).isPresent();

        assertThat(grid.call(2, "DELETE", "/api/v1/sessions/" + id, "boss").status()).isEqualTo(200);
        assertThat(grid.call(2, "GET", "/api/v1/sessions", "v1").body().path("sessions")).isEmpty();
    }

    @Test
    void eachNodeServesTheBrokerRoutesAndItsGuardedPrepareEndpoint() throws Exception {
        Node node = grid.node(0);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> desktops = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/api/v1/desktops")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(desktops.statusCode()).isEqualTo(401);
        assertThat(desktops.body()).contains("\"error\"");

        ClusterImage image = node.image();
        VmImage mineVm = image.vms().all().stream().filter(v -> v.server().equals(node.name()) && v.template().equals("shared")
                && v.sessionId() == null).findFirst().orElseThrow();
        VmImage elsewhere = image.vms().all().stream().filter(v -> !v.server().equals(node.name())).findFirst().orElseThrow();
        assertThat(prepare(http, node, "{\"vms\":[\"" + mineVm.vmId() + "\"]}", null).statusCode()).isEqualTo(401);
        HttpResponse<String> malformed = prepare(http, node, "{\"vms\":[]}", node.joinToken());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("field 'vms' must be an array of 1 to 256 VM ids");
        assertThat(prepare(http, node, "{\"vms\":[\"x\"],\"deadlineMs\":\"soon\"}", node.joinToken()).body())
                .contains("field 'deadlineMs' must be a whole number");
        HttpResponse<String> both = prepare(http, node, "{\"deadlineMs\":5000,\"vms\":[\"" + elsewhere.vmId() + "\",\""
                + mineVm.vmId() + "\"]}", node.joinToken());
        assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
        JsonNode results = Json.MAPPER.readTree(both.body()).path("results");
        assertThat(results.get(0).path("vmId").asText()).isEqualTo(elsewhere.vmId());
        assertThat(results.get(0).path("ok").asBoolean()).isFalse();
        assertThat(results.get(0).path("status").asInt()).isEqualTo(409);
        assertThat(results.get(0).path("code").asText()).isEqualTo("NOT_HOSTED");
        assertThat(results.get(0).path("message").asText()).contains("is hosted by server '" + elsewhere.server() + "'");
        assertThat(results.get(1).path("vmId").asText()).isEqualTo(mineVm.vmId());
        assertThat(results.get(1).path("ok").asBoolean()).as(both.body()).isTrue();
        assertThat(((SimDriver) node.driver()).status(mineVm.vmId()).orElseThrow().state().poweredOn()).isTrue();
    }

    private static HttpResponse<String> prepare(HttpClient http, Node node, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + "/internal/v1/vms/prepare"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
