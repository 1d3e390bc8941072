package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real multi-process grid: every node is a {@code deskmesh node} JVM of its own, driven only
 * through HTTP ({@code /api/v1/cluster}, {@code /healthz} and the token-guarded internal endpoints).
 * Three nodes form a grid and build a 12-VM pool; a follower is SIGKILLed (recorded missing, its VMs
 * re-planned on the others) and restarted (rejoins, gets work back); then the leader is SIGKILLed (a
 * new leader commits), a fourth node joins (gets the base image and VMs, and the dead old leader's
 * vote), and the old leader restarts as a listener.
 *
 * <p>The steps run in order on one grid; a step is skipped when an earlier one failed. Every wait is
 * bounded; how long each took is printed, and the figures are summed up in one line at the end.
 * Node logs and data directories are under {@code target/grid-process-it/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridProcessIT {
    private static final String TOKEN = "grid-process-it-token-0123456789";
    private static final int MISSING_AFTER_S = 3;
    private static final String IMAGE = "win11";
    private static final String TEMPLATE = "office";
    private static final int DESIRED = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** With -Ddeskmesh.it.trace=true every wait prints each change of the grid it observes. */
    private static final boolean TRACE = Boolean.getBoolean("deskmesh.it.trace");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final Map<String, Long> figures = new LinkedHashMap<>();
    private Path root;
    private long startedAt;
    private long stepStartedAt;
    private Thread killChildren;
    private int stepsPassed;
    private int probes;

    /** The follower killed and restarted in steps 3 and 4, and the leader killed in step 5. */
    private NodeProcess follower;
    private NodeProcess leader;

    @BeforeAll
    void prepare() throws IOException {
        startedAt = System.nanoTime();
        Path base = Path.of(System.getProperty("deskmesh.it.dir", "target/grid-process-it")).toAbsolutePath();
        root = Files.createDirectories(base.resolve("run-" + System.currentTimeMillis()));
        say("data and node logs in " + root);
        // Should this JVM be stopped before @AfterAll runs (Ctrl-C, a fork timeout), no node outlives it.
        killChildren = new Thread(() -> nodes.forEach(NodeProcess::destroyNow), "grid-process-it-cleanup");
        Runtime.getRuntime().addShutdownHook(killChildren);
    }

    @BeforeEach
    void stepStarts(TestInfo step) {
        stepStartedAt = System.nanoTime();
        say("== " + step.getDisplayName());
    }

    @AfterEach
    void stepEnds(TestInfo step) {
        say("== " + step.getDisplayName() + " took " + ms(stepStartedAt) + " ms");
    }

    @AfterAll
    void tearDown() {
        if (killChildren != null) {
            Runtime.getRuntime().removeShutdownHook(killChildren);
        }
        for (NodeProcess n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                say("could not kill " + n + ": " + e.getMessage());
            }
        }
        if (stepsPassed < 7) {
            for (NodeProcess n : nodes) {
                say("last lines of " + n.log() + ":\n" + n.logTail(40));
            }
        }
        StringBuilder line = new StringBuilder("GridProcessIT figures:");
        figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(v).append("ms"));
        line.append(" total=").append(ms(startedAt) / 1000.0).append('s').append(" (steps passed: ").append(stepsPassed)
                .append(')');
        say(line.toString());
    }

    // ---- the steps ---------------------------------------------------------------------------

    @Test
    @Order(1)
    void threeNodesFormAGridAndTakeATemplate() throws Exception {
        long t0 = System.nanoTime();
        NodeProcess n1 = add(new NodeProcess("node1", root, root, null, TOKEN, MISSING_AFTER_S)).start();
        awaitHealthy(n1, Duration.ofSeconds(60));
        String announced = "Native consoles (VNC viewers, with a connection file from the portal) on 127.0.0.1:"
                + n1.consolePort() + ".";
        await("node1 to announce its --console-port", Duration.ofSeconds(30),
                () -> Files.readString(n1.log()).contains(announced), () -> n1.logTail(20));
        NodeProcess n2 = add(new NodeProcess("node2", root, root, n1.http(), TOKEN, MISSING_AFTER_S)).start();
        NodeProcess n3 = add(new NodeProcess("node3", root, root, n1.http(), TOKEN, MISSING_AFTER_S)).start();
        awaitHealthy(n2, Duration.ofSeconds(60));
        awaitHealthy(n3, Duration.ofSeconds(60));
        await("three active servers in the grid", Duration.ofSeconds(30),
                () -> activeServers(cluster(n1)).size() == 3, () -> summary(n1));
        say("3 nodes up in " + ms(t0) + " ms");

        HttpResponse<String> imported = post(n1, "/internal/v1/images/" + IMAGE + "/1/synthetic?size=" + (4 << 20), "");
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(JSON.readTree(imported.body()).path("replies").path("r").get(0).path("k").asText()).isEqualTo("Created");
        assertThat(n1.dataDir().resolve("images/" + IMAGE + "/1/disk.qcow2")).isRegularFile();
        assertThat(n1.dataDir().resolve("images/" + IMAGE + "/1/manifest.json")).isRegularFile();

        JsonNode reply = command(n1, "{\"t\":20,\"b\":{\"spec\":{\"name\":\"" + TEMPLATE + "\",\"cpus\":2,\"memoryMb\":2048,"
                + "\"baseImage\":\"" + IMAGE + "\",\"imageVersion\":0,\"pool\":\"NON_PERSISTENT\","
                + "\"desiredVms\":{\"count\":" + DESIRED + ",\"auto\":false},\"spareVms\":2,\"minReplicas\":2,"
                + "\"idleTimeoutSeconds\":0,\"disconnectTimeoutSeconds\":0}}}");
        assertThat(reply.path("k").asText()).as(reply.toString()).isEqualTo("Created");
        stepsPassed = 1;
    }

    @Test
    @Order(2)
    void imagesReplicateAndThePoolIsBuiltOnEveryServer() throws Exception {
        requireStep(1);
        long t0 = System.nanoTime();
        await("12 built VMs spread over 3 servers, >= 2 landed copies, all nodes at the same index",
                Duration.ofSeconds(90), () -> {
                    List<JsonNode> views = new ArrayList<>();
                    for (NodeProcess n : nodes) {
                        views.add(cluster(n));
                    }
                    JsonNode v = views.get(0);
                    JsonNode t = template(v);
                    return views.stream().allMatch(x -> x.path("index").asLong() == v.path("index").asLong())
                            && landedCopies(v).size() >= 2 && t.path("vms").asInt() == DESIRED && built(t) == DESIRED
                            && nodes.stream().allMatch(n -> t.path("byServer").path(n.name()).asInt() > 0);
                }, () -> summary(nodes.get(0)));
        figures.put("poolBuilt", ms(t0));
        JsonNode v = cluster(nodes.get(0));
        for (String holder : landedCopies(v)) {
            NodeProcess n = byName(holder);
            assertThat(n.dataDir().resolve("images/" + IMAGE + "/1/disk.qcow2")).as("copy on %s's disk", holder).isRegularFile();
        }
        say("pool built: " + summary(v));
        stepsPassed = 2;
    }

    @Test
    @Order(3)
    void aKilledFollowerIsRecordedMissingAndItsVmsAreReplanned() throws Exception {
        requireStep(2);
        JsonNode before = cluster(nodes.get(0));
        leader = byName(before.path("leader").asText());
        follower = nodes.stream().filter(n -> n != leader).reduce((a, b) -> b).orElseThrow();
        List<NodeProcess> live = nodes.stream().filter(n -> n != follower).toList();
        say("leader " + leader.name() + "; killing follower " + follower.name() + ", which hosts "
                + template(before).path("byServer").path(follower.name()).asInt() + " VMs");

        follower.kill();
        long killed = System.nanoTime();
        assertThat(commitProbe(live.get(0), Duration.ofSeconds(20))).as("the remaining two commit").isTrue();
        figures.put("followerKill->commit", ms(killed));

        await(follower.name() + " recorded missing", Duration.ofSeconds(MISSING_AFTER_S + 8),
                () -> "missing".equals(server(cluster(live.get(0)), follower.name()).path("state").asText()),
                () -> summary(live.get(0)));
        figures.put("kill->missing", ms(killed));

        await(DESIRED + " built VMs on the live servers", Duration.ofSeconds(60),
                () -> {
                    JsonNode v = cluster(live.get(0));
                    return liveVms(v) == DESIRED && built(template(v)) == template(v).path("vms").asInt();
                }, () -> summary(live.get(0)));
        figures.put("kill->replanned", ms(killed));
        stepsPassed = 3;
    }

    @Test
    @Order(4)
    void theRestartedFollowerRejoinsAndGetsWorkBack() throws Exception {
        requireStep(3);
        NodeProcess witness = nodes.stream().filter(n -> n != follower).findFirst().orElseThrow();
        follower.start();
        long restarted = System.nanoTime();
        awaitHealthy(follower, Duration.ofSeconds(60));
        await(follower.name() + " active again", Duration.ofSeconds(30),
                () -> "active".equals(server(cluster(witness), follower.name()).path("state").asText()),
                () -> summary(witness));
        figures.put("restart->rejoined", ms(restarted));

        await(follower.name() + " hosting VMs of a settled " + DESIRED + "-VM pool, all nodes at one index",
                Duration.ofSeconds(60), () -> {
                    JsonNode v = cluster(witness);
                    JsonNode t = template(v);
                    return t.path("byServer").path(follower.name()).asInt() > 0 && t.path("vms").asInt() == DESIRED
                            && built(t) == DESIRED && sameIndexEverywhere(nodes);
                }, () -> summary(witness));
        figures.put("restart->hostsVms", ms(restarted));
        say("after the rejoin: " + summary(witness));
        stepsPassed = 4;
    }

    @Test
    @Order(5)
    void aKilledLeaderIsReplacedAndTheGridKeepsCommitting() throws Exception {
        requireStep(4);
        leader = byName(cluster(follower).path("leader").asText());
        List<NodeProcess> live = nodes.stream().filter(n -> n != leader).toList();
        say("killing leader " + leader.name());
        leader.kill();
        long killed = System.nanoTime();

        assertThat(commitProbe(live.get(0), Duration.ofSeconds(45))).as("a commit after the leader died").isTrue();
        figures.put("leaderKill->commit", ms(killed));
        String newLeader = cluster(live.get(0)).path("leader").asText();
        assertThat(newLeader).as("new leader").isNotEmpty().isNotEqualTo(leader.name());
        await("both survivors agree on leader " + newLeader, Duration.ofSeconds(10), () -> {
            for (NodeProcess n : live) {
                if (!newLeader.equals(health(n).path("raft").path("leaderId").asText())) {
                    return false;
                }
            }
            return true;
        }, () -> summary(live.get(1)));
        assertThat(commitProbe(live.get(1), Duration.ofSeconds(20))).as("the grid keeps committing").isTrue();

        await("old leader " + leader.name() + " recorded missing", Duration.ofSeconds(MISSING_AFTER_S + 20),
                () -> "missing".equals(server(cluster(live.get(0)), leader.name()).path("state").asText()),
                () -> summary(live.get(0)));
        figures.put("leaderKill->missing", ms(killed));
        await(DESIRED + " built VMs on the live servers", Duration.ofSeconds(60), () -> {
            JsonNode v = cluster(live.get(0));
            return liveVms(v) == DESIRED && built(template(v)) == template(v).path("vms").asInt();
        }, () -> summary(live.get(0)));
        figures.put("leaderKill->replanned", ms(killed));
        stepsPassed = 5;
    }

    @Test
    @Order(6)
    void aFourthNodeJoinsAndReceivesTheImageAndVms() throws Exception {
        requireStep(5);
        NodeProcess witness = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        NodeProcess n4 = add(new NodeProcess("node4", root, root, witness.http(), TOKEN, MISSING_AFTER_S)).start();
        long started = System.nanoTime();
        awaitHealthy(n4, Duration.ofSeconds(60));
        await("node4 active in the grid", Duration.ofSeconds(30),
                () -> "active".equals(server(cluster(witness), n4.name()).path("state").asText()), () -> summary(witness));
        figures.put("join->active", ms(started));
        await("a landed copy of " + IMAGE + "@1 on node4", Duration.ofSeconds(60),
                () -> landedCopies(cluster(witness)).contains(n4.name()), () -> summary(witness));
        figures.put("join->imageLanded", ms(started));
        assertThat(n4.dataDir().resolve("images/" + IMAGE + "/1/disk.qcow2")).isRegularFile();
        await("VMs on node4", Duration.ofSeconds(60),
                () -> template(cluster(witness)).path("byServer").path(n4.name()).asInt() > 0, () -> summary(witness));
        figures.put("join->firstVm", ms(started));

        // Voters are re-chosen among the servers that answer: the live node4 replaces the dead old leader.
        await("node4 promoted to voter (dead " + leader.name() + " no longer votes)", Duration.ofSeconds(30),
                () -> !"LISTENER".equals(health(n4).path("raft").path("role").asText()), this::roles);
        figures.put("join->voter", ms(started));
        List<NodeProcess> live = nodes.stream().filter(NodeProcess::alive).toList();
        await("a settled " + DESIRED + "-VM pool on the live servers, all live nodes at one index", Duration.ofSeconds(30),
                () -> {
                    JsonNode v = cluster(witness);
                    return liveVms(v) == DESIRED && built(template(v)) == template(v).path("vms").asInt()
                            && sameIndexEverywhere(live);
                }, () -> summary(witness));
        assertThat(commitProbe(n4, Duration.ofSeconds(20))).as("a commit through node4").isTrue();
        say("after node4 joined: " + summary(witness) + "; roles " + roles());
        stepsPassed = 6;
    }

    /**
     * The old leader was replaced as a voter while it was down (step 6); restarted, it must come back
     * as a listener, rejoin and get work. Its stored configuration still names it a voter, so before
     * it starts its Raft server it asks a member (addresses kept in its node.json) for its role, waits
     * without campaigning for the leader's configuration, and restarts its Raft server as a LISTENER
     * (before the fix its first pre-vote was answered SHUTDOWN and Ratis closed its group).
     */
    @Test
    @Order(7)
    void theReplacedOldLeaderRejoinsAsAListenerAfterARestart() throws Exception {
        requireStep(6);
        NodeProcess witness = nodes.stream().filter(n -> n != leader && n.alive()).findFirst().orElseThrow();
        leader.start();
        long restarted = System.nanoTime();
        awaitHealthy(leader, Duration.ofSeconds(60));
        await(leader.name() + " active again", Duration.ofSeconds(30),
                () -> "active".equals(server(cluster(witness), leader.name()).path("state").asText()), () -> summary(witness));
        await(leader.name() + " a healthy listener at the grid's index", Duration.ofSeconds(30), () -> {
            JsonNode raft = health(leader).path("raft");
            return "RUNNING".equals(raft.path("status").asText()) && "LISTENER".equals(raft.path("role").asText())
                    && sameIndexEverywhere(nodes.stream().filter(NodeProcess::alive).toList());
        }, this::roles);
        figures.put("oldLeaderRestart->listener", ms(restarted));
        stepsPassed = 7;
    }

    // ---- HTTP --------------------------------------------------------------------------------

    private JsonNode cluster(NodeProcess n) throws Exception {
        return get(n, "/api/v1/cluster");
    }

    private JsonNode health(NodeProcess n) throws Exception {
        return get(n, "/healthz");
    }

    private JsonNode get(NodeProcess n, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(n.url() + path))
                .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " on " + n.name() + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(NodeProcess n, String path, String body) throws Exception {
        return post(n, path, body, Duration.ofSeconds(40));
    }

    private HttpResponse<String> post(NodeProcess n, String path, String body, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(n.url() + path)).timeout(timeout)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits one command ({@code {"t":..,"b":{..}}}) and returns its reply. */
    private JsonNode command(NodeProcess n, String command) throws Exception {
        HttpResponse<String> r = post(n, "/internal/v1/commands", "{\"commands\":[" + command + "]}");
        assertThat(r.statusCode()).as("POST /internal/v1/commands on %s: %s", n.name(), r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("r").get(0);
    }

    /**
     * Commits a harmless command (a new empty group, a new name per attempt so that an attempt that
     * timed out but committed later cannot make a retry fail) until one is answered Created.
     */
    private boolean commitProbe(NodeProcess n, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String group = "it-probe-" + (++probes);
            try {
                HttpResponse<String> r = post(n, "/internal/v1/commands",
                        "{\"commands\":[{\"t\":63,\"b\":{\"name\":\"" + group + "\",\"members\":[]}}]}",
                        Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (r.statusCode() == 200 && "Created".equals(JSON.readTree(r.body()).path("r").get(0).path("k").asText())) {
                    return true;
                }
                say("commit probe " + group + " on " + n.name() + ": " + r.statusCode() + " " + r.body());
            } catch (IOException e) {
                say("commit probe " + group + " on " + n.name() + ": " + e);
            }
            Thread.sleep(200);
        }
        return false;
    }

    // ---- reading the cluster view ------------------------------------------------------------

    private static JsonNode template(JsonNode view) {
        for (JsonNode t : view.path("templates")) {
            if (TEMPLATE.equals(t.path("name").asText())) {
                return t;
            }
        }
        return JSON.createObjectNode();
    }

    private static JsonNode server(JsonNode view, String name) {
        for (JsonNode s : view.path("servers")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        return JSON.createObjectNode();
    }

    private static List<String> activeServers(JsonNode view) {
        List<String> out = new ArrayList<>();
        view.path("servers").forEach(s -> {
            if ("active".equals(s.path("state").asText())) {
                out.add(s.path("name").asText());
            }
        });
        return out;
    }

    /** Servers holding a landed copy of the test's base image. */
    private static List<String> landedCopies(JsonNode view) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : view.path("images")) {
            if (IMAGE.equals(i.path("image").asText()) && i.path("version").asInt() == 1) {
                i.path("replicas").forEach(r -> {
                    if ("landed".equals(r.path("state").asText())) {
                        out.add(r.path("server").asText());
                    }
                });
            }
        }
        return out;
    }

    /** The template's VMs that are built (running or stopped). */
    private static int built(JsonNode template) {
        return template.path("byState").path("running").asInt() + template.path("byState").path("stopped").asInt();
    }

    /** The template's VMs on active (not missing, not draining) servers. */
    private static int liveVms(JsonNode view) {
        JsonNode byServer = template(view).path("byServer");
        return activeServers(view).stream().mapToInt(s -> byServer.path(s).asInt()).sum();
    }

    private boolean sameIndexEverywhere(List<NodeProcess> which) throws Exception {
        Long index = null;
        for (NodeProcess n : which) {
            long i = cluster(n).path("index").asLong();
            if (index != null && index != i) {
                return false;
            }
            index = i;
        }
        return true;
    }

    /** One line: index, leader, each server's state and VMs, replicas, the template's pool. */
    private String summary(NodeProcess n) {
        try {
            return summary(cluster(n));
        } catch (Exception e) {
            return "(no view from " + n.name() + ": " + e + ")";
        }
    }

    private static String summary(JsonNode v) {
        StringBuilder b = new StringBuilder("index ").append(v.path("index").asLong()).append(", leader ")
                .append(v.path("leader").asText()).append(", servers");
        v.path("servers").forEach(s -> b.append(' ').append(s.path("name").asText()).append('=')
                .append(s.path("state").asText()).append('/').append(s.path("vms").asInt()).append("vms"));
        JsonNode t = template(v);
        b.append(", landed ").append(landedCopies(v)).append(", pool ").append(t.path("vms").asInt()).append(' ')
                .append(t.path("byState")).append(' ').append(t.path("byServer"));
        return b.toString();
    }

    private String roles() {
        StringBuilder b = new StringBuilder();
        for (NodeProcess n : nodes) {
            if (n.alive()) {
                try {
                    b.append(n.name()).append('=').append(health(n).path("raft").path("role").asText()).append(' ');
                } catch (Exception e) {
                    b.append(n.name()).append("=? ");
                }
            }
        }
        return b.toString().trim();
    }

    // ---- waiting -----------------------------------------------------------------------------

    private void awaitHealthy(NodeProcess n, Duration timeout) {
        await(n.name() + " healthy", timeout, () -> {
            if (!n.alive()) {
                throw new AssertionError(n.name() + " exited; log " + n.log() + ":\n" + n.logTail(30));
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(n.url() + "/healthz"))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode raft = JSON.readTree(r.body()).path("raft");
            if ("FAILED".equals(raft.path("status").asText()) || "CLOSED".equals(raft.path("status").asText())) {
                // A failed Raft group stays failed until the process restarts: no point waiting.
                throw new AssertionError(n.name() + " reports its Raft group " + raft.path("status").asText() + ": "
                        + r.body() + "; log " + n.log());
            }
            return r.statusCode() == 200;
        }, () -> {
            String last = n.logTail(1);
            return "last log line: " + last.substring(0, Math.min(160, last.length()));
        });
    }

    /**
     * Polls {@code condition} every 200 ms until it holds, up to {@code timeout}; an exception counts
     * as "not yet" (a node may be down), an AssertionError fails at once. Prints and returns the
     * time it took.
     */
    private long await(String what, Duration timeout, Callable<Boolean> condition, Supplier<String> state) {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        Exception last = null;
        String seen = null;
        while (true) {
            if (TRACE) {
                String now = state.get();
                if (!now.equals(seen)) {
                    say("    +" + ms(t0) + " ms: " + now);
                    seen = now;
                }
            }
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    long took = ms(t0);
                    say("  " + what + ": " + took + " ms");
                    return took;
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; now: "
                        + state.get() + (last == null ? "" : "; last error: " + last) + "; logs in " + root);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    // ---- bookkeeping -------------------------------------------------------------------------

    private NodeProcess add(NodeProcess n) {
        nodes.add(n);
        return n;
    }

    private NodeProcess byName(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node named '" + name + "' among " + nodes));
    }

    private void requireStep(int step) {
        assumeTrue(stepsPassed >= step, "step " + step + " did not pass");
    }

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private static void say(String line) {
        System.out.println("[GridProcessIT " + java.time.LocalTime.now() + "] " + Objects.requireNonNull(line));
        System.out.flush();
    }
}
