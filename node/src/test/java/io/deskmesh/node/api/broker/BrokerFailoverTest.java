package io.deskmesh.node.api.broker;

import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.plan.ConnectionRouter;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brokering through failures on real grids: the Raft leader dies while connects are in flight, and a
 * host's hypervisor stops answering.
 */
class BrokerFailoverTest {
    private static final Capacity CAPACITY = new Capacity(16, 65_536, 1_000_000);

    @TempDir
    Path data;

    @Test
    void connectsInFlightWhenTheLeaderDiesCompleteOrFailCleanlyAndLeaveNoOrphanedReservation() throws Exception {
        try (BrokerGrid grid = BrokerGrid.start(data, 3, CAPACITY, BrokerSettings.DEFAULTS.withPrepareDeadline(Duration.ofSeconds(3)))) {
            grid.pool(new TemplateSpec("fo", 1, 256, "fo", 0, PoolKind.NON_PERSISTENT, DesiredVms.of(30), 0, 3, 0, 0));
            List<String> users = grid.users("f", 20, "fo");
            int leader = grid.leader();
            List<Integer> doors = new ArrayList<>();
            for (int i = 0; i < grid.size(); i++) {
                if (i != leader) {
                    doors.add(i);
                }
            }

            List<CompletableFuture<BrokerGrid.Answer>> inFlight = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                inFlight.add(grid.connectAsync(doors.get(i % 2), users.get(i), "fo"));
            }
            Thread.sleep(30);
            grid.kill(leader);

            Map<String, String> connected = new TreeMap<>();
            List<String> retry = new ArrayList<>();
            int failedCleanly = 0;
            for (int i = 0; i < users.size(); i++) {
                BrokerGrid.Answer a = inFlight.get(i).get(60, TimeUnit.SECONDS);
                if (a.status() == 200) {
                    connected.put(users.get(i), a.get("sessionId"));
                } else {
                    assertThat(a.status()).as("answer to %s: %s", users.get(i), a.body()).isIn(500, 503);
                    assertThat(a.message()).as("answer to %s", users.get(i)).isNotBlank();
                    retry.add(users.get(i));
                    failedCleanly++;
                }
            }
            System.out.printf("leader killed mid-storm: %d connects completed, %d failed cleanly and were retried%n",
                    connected.size(), failedCleanly);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!retry.isEmpty()) {
                assertThat(System.currentTimeMillis()).as("retries of %s succeed", retry).isLessThan(deadline);
                String user = retry.get(0);
                BrokerGrid.Answer a = grid.connect(doors.get(retry.size() % 2), user, "fo");
                if (a.status() == 200) {
                    connected.put(user, a.get("sessionId"));
                    retry.remove(0);
                } else {
                    assertThat(a.status()).as("retry of %s: %s", user, a.body()).isIn(500, 503);
                    Thread.sleep(200);
                }
            }

            grid.await(() -> grid.node(doors.get(0)).image().index() == grid.node(doors.get(1)).image().index(),
                    "the surviving nodes to agree", 10_000);
            ClusterImage image = grid.node(doors.get(0)).image();
            Map<String, String> inImage = new TreeMap<>();
            Set<String> vms = new HashSet<>();
            for (SessionImage s : image.sessions().all()) {
                inImage.put(s.user(), s.id());
                assertThat(vms.add(s.vmId())).as("VM %s held once", s.vmId()).isTrue();
            }
            assertThat(inImage).as("every session in the image belongs to a connect that returned OK").isEqualTo(connected);
        }
    }

    @Test
    void aHostThatDoesNotPrepareInTimeIsSuspectedAndTheUserLandsElsewhere() throws Exception {
        try (BrokerGrid grid = BrokerGrid.start(data, 3, CAPACITY,
                BrokerSettings.DEFAULTS.withPrepareDeadline(Duration.ofMillis(1_500)))) {
            grid.pool(new TemplateSpec("hang", 1, 256, "hang", 0, PoolKind.NON_PERSISTENT, DesiredVms.of(6), 0, 3, 0, 0));
            grid.users("h", 2, "hang");
            String hung = ConnectionRouter.route(grid.image(), "h1", "hang", Set.of()).candidates().get(0).server();
            int front = (grid.indexOf(hung) + 1) % 3;
            AtomicBoolean seenSuspect = new AtomicBoolean();
            grid.node(front).raft().addImageListener(image -> {
                if (image.servers().get(hung).orElseThrow().suspect()) {
                    seenSuspect.set(true);
                }
            });
            SimDriver driver = (SimDriver) grid.node(grid.indexOf(hung)).driver();
            driver.hang();
            try {
                BrokerGrid.Answer a = grid.connect(front, "h1", "hang");

                assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
                assertThat(a.get("server")).isNotEqualTo(hung);
                assertThat(grid.node(front).image().servers().get(hung).orElseThrow().suspect()).isTrue();
                assertThat(seenSuspect).isTrue();
                ClusterImage image = grid.node(front).image();
                assertThat(image.sessions().ofUser("h1")).singleElement()
                        .satisfies(s -> assertThat(s.server()).isEqualTo(a.get("server")));
                assertThat(image.sessions().all()).noneMatch(s -> s.server().equals(hung));
                BrokerGrid.Answer next = grid.connect(grid.indexOf(hung), "h2", "hang");
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.get("server")).as("a suspect server takes no logins").isNotEqualTo(hung);
            } finally {
                driver.unhang();
            }
            grid.await(() -> !grid.node(front).image().servers().get(hung).orElseThrow().suspect(),
                    hung + " to come back once its hypervisor answers", 20_000);
        }
    }
}
