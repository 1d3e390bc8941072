package io.deskmesh.node.reconcile;

import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.plan.PoolSizer;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.sim.GridInvariants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forty sim hosts, each with its own reconciler, share one log while faults are injected: hosts
 * die, hang, and fail a share of their VM starts, while users log in and out. After every fault
 * the grid must heal (every pool back to its size on live servers, copies on enough servers) and,
 * at every observed image, no VM may be in two sessions and no server over capacity. The fault
 * schedule comes from a seed, printed on failure.
 */
class SimGridFaultTest {
    private static final int HOSTS = 40;
    private final InMemoryLog log = new InMemoryLog();
    private final Map<String, SimDriver> hosts = new TreeMap<>();
    private final List<Reconciler> reconcilers = new ArrayList<>();
    private final AtomicReference<String> violation = new AtomicReference<>();

    @AfterEach
    void close() {
        reconcilers.forEach(Reconciler::close);
        hosts.values().forEach(SimDriver::close);
        log.close();
    }

    @Test
    void theGridHealsAfterEveryFaultAndNeverBreaksAnInvariant() throws Exception {
        long seed = Long.getLong("deskmesh.seed", 0xfa17L);
        SplittableRandom random = new SplittableRandom(seed);
        log.listen(this::check);
        ok(new CreateGridCommand("faults"));
        for (int i = 0; i < HOSTS; i++) {
            String name = String.format("h%02d", i);
            SimDriver host = new SimDriver(SimConfig.builder().hostName(name).capacity(8, 32_768, 1_000_000)
                    .startFailureProbability(0.05).seed(seed + i).hangTimeout(Duration.ofMillis(300)).build());
            hosts.put(name, host);
            Reconciler r = new Reconciler(name, name + ":8443", host, new FakeReplicaStore(), log,
                    System::currentTimeMillis, log::image, 2);
            reconcilers.add(r);
            log.listen(r::onImage);
            ok(new JoinServerCommand(name, "site-" + (i % 3), name + ":8443", new Capacity(8, 32_768, 1_000_000)));
        }
        for (int t = 0; t < 4; t++) {
            ok(new RegisterImageVersionCommand("img" + t, 1, 1L << 30, "a".repeat(64), 0, String.format("h%02d", t)));
            ok(new CreateTemplateCommand(new TemplateSpec("tpl" + t, 2, 2048, "img" + t, 0,
                    t == 0 ? PoolKind.PERSISTENT : PoolKind.NON_PERSISTENT, DesiredVms.of(60), 3, 2, 0, 0)));
        }
        for (int u = 0; u < 200; u++) {
            ok(new CreateUserCommand("u" + u, "x", Role.USER, ""));
        }
        ok(new CreateGroupCommand("all", users(200)));
        for (int t = 0; t < 4; t++) {
            ok(new CreateGrantCommand("tpl" + t, null, "all"));
        }
        awaitHealed("start, seed " + seed, List.of());

        List<String> dead = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            logins(random, 30);
            String victim = String.format("h%02d", 4 + random.nextInt(HOSTS - 4));
            if (dead.contains(victim)) {
                continue;
            }
            if (round % 2 == 0) {
                // The server dies with its node: its reconciler is gone too.
                reconcilers.get(Integer.parseInt(victim.substring(1))).close();
                hosts.get(victim).die();
            } else {
                // The node lives on but its hypervisor hangs: the node must stay out until it answers.
                hosts.get(victim).hang();
            }
            dead.add(victim);
            awaitHealed("after losing " + victim + " in round " + round + ", seed " + seed, dead);
        }
        assertThat(violation.get()).as("first invariant violation seen, seed %d", seed).isNull();
    }

    private void logins(SplittableRandom random, int n) {
        ClusterImage image = log.image();
        for (int i = 0; i < n; i++) {
            String user = "u" + random.nextInt(200);
            Reply r = log.submit(new ReserveDesktopCommand(user, "tpl" + random.nextInt(4), List.of())).join();
            if (r instanceof Reply.Reserved res && random.nextBoolean()) {
                log.submit(new EndSessionCommand(res.sessionId(), "logged off"));
            }
        }
        assertThat(image).isNotNull();
    }

    private void check(ClusterImage image) {
        List<String> broken = new ArrayList<>(GridInvariants.sessions(image));
        broken.addAll(GridInvariants.capacity(image));
        if (!broken.isEmpty()) {
            violation.compareAndSet(null, "index " + image.index() + ": " + broken);
        }
    }

    private void awaitHealed(String when, List<String> faulty) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        String why = "";
        while (System.currentTimeMillis() < deadline) {
            ClusterImage image = log.image();
            // The test plays the leader's failure detector: a faulty server does not answer pings
            // (dead) or answers 503 (its hypervisor hangs), so it is recorded missing whenever it is not.
            for (String f : faulty) {
                if (!image.servers().get(f).orElseThrow().missing()) {
                    log.submit(new MarkServerMissingCommand(f, "no answer"));
                }
            }
            why = healed(image);
            if (why == null) {
                return;
            }
            // Nudge the log so reconcilers see time pass (retries after back-off, host syncs).
            log.submit(new RecordAuditCommand("system:test", "tick", "", "", true, ""));
            Thread.sleep(100);
        }
        StringBuilder rs = new StringBuilder();
        for (Reconciler r : reconcilers) {
            rs.append(r.inFlight().keySet()).append(r.actionsStarted()).append('/').append(r.actionsFailed()).append(' ');
        }
        var plan = io.deskmesh.model.plan.GridPlanner.plan(log.image());
        throw new AssertionError("not healed " + when + ": " + why + "; violation: " + violation.get() + "; reconcilers "
                + rs + "; first actions " + plan.actions().subList(0, Math.min(8, plan.actions().size())));
    }

    /** Null when every pool is at size on live servers with its VMs built and copies on enough servers. */
    private static String healed(ClusterImage image) {
        for (TemplateImage t : image.templates().all()) {
            int live = 0;
            for (var e : image.vms().placement(t.name()).entrySet()) {
                ServerImage s = image.servers().get(e.getKey()).orElseThrow();
                if (s.missing()) {
                    continue;
                }
                for (String id : e.getValue()) {
                    VmState st = image.vms().get(id).orElseThrow().state();
                    if (st == VmState.RUNNING || st == VmState.STOPPED) {
                        live++;
                    }
                }
            }
            int desired = PoolSizer.desired(image, t);
            if (live < desired) {
                Map<String, Integer> states = new TreeMap<>();
                for (var vm : image.vms().all()) {
                    if (vm.template().equals(t.name())) {
                        boolean gone = image.servers().get(vm.server()).orElseThrow().missing();
                        states.merge(vm.state() + (gone ? "@missing" : "") + (vm.owner() != null ? "/owned" : ""), 1,
                                Integer::sum);
                    }
                }
                return t.name() + " has " + live + " ready VMs on live servers of " + desired + " " + states
                        + " plan " + io.deskmesh.model.plan.GridPlanner.plan(image).actions().size()
                        + " notes " + io.deskmesh.model.plan.GridPlanner.plan(image).notes();
            }
            ImageRef ref = t.imageRef();
            long copies = image.images().replicas(ref).values().stream()
                    .filter(r -> r.landed() && !image.servers().get(r.server()).orElseThrow().missing()).count();
            if (copies < t.spec().minReplicas()) {
                return ref + " on " + copies + " live servers";
            }
        }
        List<String> replicas = GridInvariants.replicas(image);
        return replicas.isEmpty() ? null : replicas.toString();
    }

    private static List<String> users(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("u" + i);
        }
        return out;
    }

    private void ok(MeshCommand c) {
        Reply r = log.submit(c).join();
        assertThat(r.ok()).as("%s -> %s", c, r).isTrue();
    }

}
