package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.node.api.ApiClient.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server endpoints against a real three-node grid: list, drain, resume, remove (the grid's
 * record and the Raft peer), and, once two of three servers are gone, the survivor refusing writes
 * clearly while it keeps answering reads. The tests run in order: each leaves the grid smaller.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerApiIT {
    static ApiGrid grid;
    static ApiClient one;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        grid = ApiGrid.start(3, 1);
        one = grid.node(1);
        admin = one.login("admin", ApiGrid.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    @Order(1)
    void serversAreListedWithStateRaftRoleAndCapacity() {
        JsonNode servers = one.get("/api/v1/servers").token(admin).send().json().path("servers");
        assertThat(servers.size()).isEqualTo(3);
        assertThat(StreamSupport.stream(servers.spliterator(), false).map(s -> s.path("name").asText()))
                .containsExactly("node1", "node2", "node3");
        assertThat(StreamSupport.stream(servers.spliterator(), false).map(s -> s.path("state").asText())).containsOnly("active");
        assertThat(StreamSupport.stream(servers.spliterator(), false).map(s -> s.path("raft").asText()))
                .containsOnly("leader", "voter").containsOnlyOnce("leader");
        JsonNode node1 = servers.get(0);
        assertThat(node1.path("capacity").path("cpus").asInt()).isEqualTo(16);
        assertThat(node1.path("address").asText()).isEqualTo(grid.node(1).url.substring("http://".length()));
        assertThat(node1.path("usage").has("utilisation")).isTrue();
        assertThat(node1.path("joinedAt").asText()).endsWith("Z");
    }

    @Test
    @Order(2)
    void aServerIsDrainedAndResumed() {
        Answer drained = one.post("/api/v1/servers/node2/drain").token(admin).send();
        assertThat(drained.status()).isEqualTo(200);
        assertThat(drained.json().path("state").asText()).isEqualTo("draining");
        assertThat(grid.server(1).image().servers().get("node2").orElseThrow().draining()).isTrue();
        assertThat(one.post("/api/v1/servers/node2/drain").token(admin).send().status()).as("again: no change").isEqualTo(200);

        Answer resumed = one.post("/api/v1/servers/node2/resume").token(admin).send();
        assertThat(resumed.status()).isEqualTo(200);
        assertThat(resumed.json().path("state").asText()).isEqualTo("active");
        assertThat(grid.server(1).image().servers().get("node2").orElseThrow().draining()).isFalse();

        Answer unknown = one.post("/api/v1/servers/node9/drain").token(admin).send();
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorMessage()).contains("server 'node9' is not a member of the grid");
        JsonNode events = one.get("/api/v1/events?action=server.*").token(admin).send().json().path("events");
        assertThat(StreamSupport.stream(events.spliterator(), false).filter(e -> e.path("ok").asBoolean())
                .map(e -> e.path("action").asText() + " " + e.path("target").asText()))
                .containsSubsequence("server.drain node2", "server.resume node2");
    }

    @Test
    @Order(3)
    void aRemovedServerLeavesTheGridAndTheRaftGroup() throws Exception {
        Answer removed = one.delete("/api/v1/servers/node3").token(admin).send();
        assertThat(removed.status()).isEqualTo(204);
        assertThat(grid.server(1).image().servers().contains("node3")).isFalse();
        assertThat(grid.server(1).raft().membership().contains("node3")).isFalse();
        JsonNode servers = one.get("/api/v1/servers").token(admin).send().json().path("servers");
        assertThat(StreamSupport.stream(servers.spliterator(), false).map(s -> s.path("name").asText()))
                .containsExactly("node1", "node2");
        Answer again = one.delete("/api/v1/servers/node3").token(admin).send();
        assertThat(again.status()).isEqualTo(404);
        ApiGrid.await(() -> grid.server(2).image().servers().size() == 2, "node 2 to see the removal", 5_000);
    }

    @Test
    @Order(4)
    void withoutAMajorityWritesAreRefusedClearlyAndReadsStillWork() {
        grid.server(2).close();
        CompletableFuture<Answer> login = CompletableFuture.supplyAsync(() -> one.post("/api/v1/auth/login")
                .json(Map.of("username", "admin", "password", ApiGrid.ADMIN_PASSWORD)).send());
        Answer write = one.post("/api/v1/groups").token(admin).json(Map.of("name", "islanders")).send();
        assertThat(write.status()).isEqualTo(503);
        assertThat(write.errorCode()).isIn("NO_MAJORITY", "NOT_COMMITTED");
        assertThat(write.errorMessage()).contains("the grid has no majority right now", "try again");
        assertThat(write.header("Retry-After")).isNotNull();
        assertThat(one.get("/api/v1/servers").token(admin).send().status()).isEqualTo(200);
        assertThat(login.join().status()).as("no token without its login in the audit trail").isEqualTo(503);
        assertThat(grid.server(1).image().accounts().groupExists("islanders")).isFalse();
    }
}
