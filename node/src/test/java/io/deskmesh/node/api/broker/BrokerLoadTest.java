package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A login storm on a real three-node grid: 1,000 distinct users connect at once, spread over every
 * node's front door, to a pool of exactly 300 desktops spread over the three servers. Exactly 300 get
 * one, no VM twice, the other 700 get a clean 503 NO_DESKTOP, and connecting again returns the same
 * session and VM. Prints how long the storm took (a figure, not a pass/fail criterion).
 */
class BrokerLoadTest {
    static final int USERS = 1_000;
    static final int VMS = 300;
    static final int IN_FLIGHT = 64;

    @TempDir
    Path data;

    @Test
    void aThousandConcurrentConnectsShareThreeHundredDesktopsExactlyOnce() throws Exception {
        try (BrokerGrid grid = BrokerGrid.start(data, 3, new Capacity(64, 262_144, 1_000_000), BrokerSettings.DEFAULTS)) {
            long building = System.nanoTime();
            grid.pool(new TemplateSpec("storm", 1, 256, "storm", 0, PoolKind.NON_PERSISTENT, DesiredVms.of(VMS), 0, 3, 0, 0));
            System.out.printf("broker storm: %d VMs built and settled on 3 servers in %d ms%n", VMS,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - building));
            assertThat(grid.image().vms().placement("storm").values()).as("VMs per server").hasSize(3)
                    .allSatisfy(ids -> assertThat(ids.size()).isBetween(VMS / 3 - 10, VMS / 3 + 10));
            List<String> users = grid.users("u", USERS, "storm");

            Semaphore slots = new Semaphore(IN_FLIGHT);
            List<CompletableFuture<BrokerGrid.Answer>> answers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < USERS; i++) {
                slots.acquire();
                answers.add(grid.connectAsync(i % 3, users.get(i), "storm").whenComplete((a, e) -> slots.release()));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("broker storm: %d connects (%d in flight, 3 front doors) in %d ms = %.0f connects/s%n",
                    USERS, IN_FLIGHT, tookMs, USERS * 1000.0 / tookMs);

            Map<String, BrokerGrid.Answer> won = new HashMap<>();
            int noDesktop = 0;
            for (int i = 0; i < USERS; i++) {
                BrokerGrid.Answer a = answers.get(i).join();
                if (a.status() == 200) {
                    won.put(users.get(i), a);
                    continue;
                }
                assertThat(a.status()).as("answer to %s: %s", users.get(i), a.body()).isEqualTo(503);
                assertThat(a.error()).as("answer to %s: %s", users.get(i), a.body()).isEqualTo("NO_DESKTOP");
                assertThat(a.message()).startsWith("no free desktop of template 'storm'");
                noDesktop++;
            }
            assertThat(won).hasSize(VMS);
            assertThat(noDesktop).isEqualTo(USERS - VMS);
            Set<String> vms = new HashSet<>();
            Set<String> sessions = new HashSet<>();
            for (BrokerGrid.Answer a : won.values()) {
                assertThat(vms.add(a.get("vm"))).as("VM %s given once", a.get("vm")).isTrue();
                assertThat(sessions.add(a.get("sessionId"))).isTrue();
                assertThat(a.body().path("console").path("url").asText()).isEqualTo("/console/" + a.get("sessionId"));
            }

            ClusterImage image = grid.node(0).image();
            assertThat(image.sessions().onTemplate("storm")).isEqualTo(VMS);
            Set<String> held = new HashSet<>();
            for (SessionImage s : image.sessions().all()) {
                assertThat(held.add(s.vmId())).isTrue();
                assertThat(image.vms().get(s.vmId()).orElseThrow().sessionId()).isEqualTo(s.id());
                assertThat(won.get(s.user()).get("sessionId")).isEqualTo(s.id());
            }
            assertThat(image.sessions().demand("storm").unmetLogins()).isEqualTo(USERS - VMS);

            // Connecting again, through another front door, reconnects to the same session and VM.
            List<String> winners = new ArrayList<>(won.keySet()).subList(0, 30);
            for (String user : winners) {
                BrokerGrid.Answer first = won.get(user);
                BrokerGrid.Answer again = grid.connect((users.indexOf(user) + 1) % 3, user, "storm");
                assertThat(again.status()).isEqualTo(200);
                assertThat(again.get("sessionId")).isEqualTo(first.get("sessionId"));
                assertThat(again.get("vm")).isEqualTo(first.get("vm"));
                assertThat(again.body().path("reconnect").asBoolean()).isTrue();
            }
        }
    }
}
