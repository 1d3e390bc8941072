package io.deskmesh.node;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.record.VmState;
import io.deskmesh.node.demo.DemoGrid;
import io.deskmesh.testkit.LoopbackPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one-command demo, in process: three real nodes (Raft over gRPC, HTTP, sim hosts) come up,
 * replicate the seeded state, copy base images between each other over HTTP and build the pools;
 * every node's image is the same; the cluster endpoint shows it; a restart keeps everything.
 */
class DemoGridTest {
    @TempDir
    Path data;

    @Test
    void nativeConsolePortsDefaultToHttpPlus100AndMustNotOverlapTheOthers() {
        assertThat(options(8080, DemoGrid.Options.DEFAULT_CONSOLE_BASE).consoleBase()).isEqualTo(8180);
        assertThat(options(8080, 0).consoleBase()).as("none").isZero();
        assertThat(options(8080, 5900).consoleBase()).isEqualTo(5900);
        assertThatThrownBy(() -> options(8080, 8082)).hasMessageContaining("--console-port 8082")
                .hasMessageContaining("overlaps the HTTP or Raft ports");
        assertThatThrownBy(() -> options(8080, 9078)).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> options(8080, 80)).hasMessageContaining("out of range");
    }

    private static DemoGrid.Options options(int http, int console) {
        return new DemoGrid.Options(3, null, http, null, null, 1, "sim", null, null, console);
    }

    @Test
    void threeNodesReplicateBuildPoolsAndSurviveARestart() throws Exception {
        int base = LoopbackPorts.demoGridBlock(3);
        DemoGrid.Options options = new DemoGrid.Options(3, data, base, "admin-password", "user-password", 5);
        long index;
        String records;
        try (DemoGrid grid = DemoGrid.create(options)) {
            DemoGrid.Started started = grid.start(options);
            assertThat(started.seeded()).isTrue();
            assertThat(started.urls()).hasSize(3);
            await(() -> settled(grid), "pools to be built on every node", 60_000);
            ClusterImage image = grid.image();
            assertThat(image.vms().all().stream().filter(vm -> vm.template().equals("office"))).hasSize(8);
            for (ImageRef ref : new ImageRef[]{new ImageRef("win11-office", 1), new ImageRef("debian-dev", 1)}) {
                long copies = image.images().replicas(ref).values().stream().filter(r -> r.landed()).count();
                assertThat(copies).as("copies of %s", ref).isGreaterThanOrEqualTo(2);
                for (var r : image.images().replicas(ref).values()) {
                    Node holder = grid.nodes().stream().filter(n -> n.name().equals(r.server())).findFirst().orElseThrow();
                    assertThat(holder.imageStore().has(ref)).as("%s on disk of %s", ref, r.server()).isTrue();
                }
            }
            await(() -> grid.nodes().stream().allMatch(n -> n.image().index() == grid.image().index()), "nodes to agree", 10_000);
            for (Node n : grid.nodes()) {
                assertThat(n.image().toRecords()).as("image of %s", n.name()).isEqualTo(image.toRecords());
            }
            HttpResponse<String> cluster = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(started.urls().get(2) + "/api/v1/cluster")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cluster.statusCode()).isEqualTo(200);
            assertThat(cluster.body()).contains("\"name\":\"node1\"", "\"image\":\"win11-office\"", "\"name\":\"office\"");
            index = image.index();
            records = image.toRecords().toString();
            grid.nodes().get(0).raft().takeSnapshotNow();
        }
        try (DemoGrid again = DemoGrid.create(options)) {
            DemoGrid.Started started = again.start(options);
            assertThat(started.seeded()).as("seeded only once").isFalse();
            await(() -> again.image().index() >= index, "the restarted grid to replay its log", 30_000);
            assertThat(again.image().vms().size()).isGreaterThanOrEqualTo(8);
            assertThat(again.image().accounts().user("user3")).isPresent();
            assertThat(records).contains("office");
        }
    }

    private static boolean settled(DemoGrid grid) {
        ClusterImage image = grid.image();
        boolean transfersDone = image.images().versions().stream()
                .allMatch(v -> image.images().replicas(v.ref()).values().stream().allMatch(r -> r.landed()));
        return image.vms().size() >= 8 && transfersDone && GridPlanner.plan(image).isEmpty()
                && grid.nodes().stream().allMatch(n -> n.reconciler().inFlight().isEmpty())
                && image.vms().all().stream().allMatch(vm -> vm.state() == VmState.RUNNING || vm.state() == VmState.STOPPED);
    }


    static void await(BooleanSupplier condition, String what, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
