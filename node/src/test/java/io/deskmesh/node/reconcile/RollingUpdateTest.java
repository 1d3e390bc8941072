package io.deskmesh.node.reconcile;

import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling update on three sim hosts sharing one log, each with its own reconciler: registering
 * version 2 of a pool's image moves every free VM to it while a running session keeps its VM on
 * version 1; once that session ends its VM follows, and version 1 is collected from every server.
 */
class RollingUpdateTest {
    private static final ImageRef V1 = new ImageRef("img", 1);
    private static final ImageRef V2 = new ImageRef("img", 2);
    private final InMemoryLog log = new InMemoryLog();
    private final Map<String, SimDriver> hosts = new TreeMap<>();
    private final Map<String, FakeReplicaStore> stores = new TreeMap<>();
    private final List<Reconciler> reconcilers = new ArrayList<>();

    @AfterEach
    void close() {
        reconcilers.forEach(Reconciler::close);
        hosts.values().forEach(SimDriver::close);
        log.close();
    }

    @Test
    void newVmsMoveToTheNewVersionRunningSessionsKeepTheirsAndTheOldVersionIsCollected() throws Exception {
        ok(new CreateGridCommand("rolling"));
        for (int i = 0; i < 3; i++) {
            String name = "h" + i;
            SimDriver host = new SimDriver(SimConfig.builder().hostName(name).capacity(8, 32_768, 1_000_000).build());
            hosts.put(name, host);
            FakeReplicaStore store = new FakeReplicaStore();
            stores.put(name, store);
            Reconciler r = new Reconciler(name, name + ":8443", host, store, log, System::currentTimeMillis, log::image, 2);
            reconcilers.add(r);
            log.listen(r::onImage);
            ok(new JoinServerCommand(name, "site", name + ":8443", new Capacity(8, 32_768, 1_000_000)));
        }
        stores.get("h0").held.add(V1);
        ok(new RegisterImageVersionCommand("img", 1, 1L << 30, "a".repeat(64), 0, "h0"));
        TemplateSpec spec = new TemplateSpec("pool", 1, 1024, "img", 1, PoolKind.NON_PERSISTENT, DesiredVms.of(6), 6, 3,
                0, 0);
        ok(new CreateTemplateCommand(spec));
        ok(new CreateUserCommand("alice", "x", Role.USER, ""));
        ok(new CreateGrantCommand("pool", "alice", null));
        await("six running VMs on version 1 and version 1 on every server", image ->
                vms(image, 1, VmState.RUNNING) == 6 && landedOn(image, V1) == 3);
        Reply.Reserved session = (Reply.Reserved) log.submit(new ReserveDesktopCommand("alice", "pool", List.of())).join();
        ok(new ConnectSessionCommand(session.sessionId()));

        stores.get("h0").held.add(V2);
        ok(new RegisterImageVersionCommand("img", 2, 1L << 30, "b".repeat(64), 1, "h0"));
        ok(new UpdateTemplateCommand(spec.withImageVersion(2)));

        await("every free VM on version 2, the session's VM still on version 1", image ->
                vms(image, 2, null) == 5 && landedOn(image, V2) == 3
                        && image.vms().get(session.vmId()).orElseThrow().imageVersion() == 1
                        && image.sessions().get(session.sessionId()).isPresent());
        await("version 1 dropped where no VM uses it", image ->
                image.images().replicas(V1).keySet().equals(java.util.Set.of(session.server())));
        assertThat(stores.get(session.server()).held).contains(V1);

        ok(new EndSessionCommand(session.sessionId(), "logged off"));

        await("the freed VM on version 2 and version 1 gone from every server", image ->
                vms(image, 2, null) == 6 && image.images().replicas(V1).isEmpty());
        for (FakeReplicaStore s : stores.values()) {
            assertThat(s.held).containsExactly(V2);
        }
        assertThat(log.image().images().version(V1)).as("the version stays registered, with no copies").isPresent();
    }

    private static long vms(ClusterImage image, int version, VmState state) {
        TemplateImage t = image.templates().get("pool").orElseThrow();
        return image.vms().all().stream().filter(vm -> vm.template().equals(t.name()) && vm.imageVersion() == version
                && (state == null ? vm.state() != VmState.UNHEALTHY && vm.state() != VmState.RETIRING
                : vm.state() == state)).count();
    }

    private static long landedOn(ClusterImage image, ImageRef ref) {
        return image.images().replicas(ref).values().stream().filter(r -> r.landed()).count();
    }

    private void await(String what, Predicate<ClusterImage> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.test(log.image())) {
            if (System.currentTimeMillis() > deadline) {
                ClusterImage image = log.image();
                throw new AssertionError("timed out waiting for " + what + "; VMs: " + image.vms().all().stream()
                        .map(RollingUpdateTest::describe).toList() + ", v1 on " + image.images().replicas(V1).keySet()
                        + ", v2 on " + image.images().replicas(V2).keySet());
            }
            Thread.sleep(20);
        }
    }

    private static String describe(VmImage vm) {
        return vm.vmId() + "@" + vm.server() + " v" + vm.imageVersion() + " " + vm.state();
    }

    private void ok(MeshCommand c) {
        Reply r = log.submit(c).join();
        assertThat(r.ok()).as("%s -> %s", c, r).isTrue();
    }
}
