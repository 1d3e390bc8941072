package io.deskmesh.node;

import static io.deskmesh.node.LibvirtNodes.GUEST;
import static io.deskmesh.node.LibvirtNodes.importGuest;
import static io.deskmesh.node.LibvirtNodes.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.node.demo.TinyGuest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figure "time from desired VMs = 10 to 10 agents ready" on real QEMU (TCG), printed, not
 * asserted: two nodes on {@code qemu:///system} sharing this machine (each offers its cores times
 * 4 vCPUs, so one node of a 2-core machine takes 8 one-vCPU VMs), the tiny guest on both, a pool of
 * 0 set to 10 powered-on VMs, timed until ten agents said ready. Not part of the suite (the name matches
 * neither *Test nor *IT): run it with
 * {@code mvn -o -pl node -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=LibvirtStartupFigure -Dfailsafe.failIfNoSpecifiedTests=false -Ddeskmesh.vms=10}.
 */
class LibvirtStartupFigure {
    @TempDir
    Path dir;

    @Test
    void timeFromDesiredTenToTenAgentsReady() throws Exception {
        String problem = LibvirtNodes.problem();
        if (problem != null) {
            fail(problem);
        }
        int vms = Integer.getInteger("deskmesh.vms", 10);
        try (LibvirtNodes grid = new LibvirtNodes(dir)) {
            int base = LoopbackPorts.freeBlock(2);
            Node node = grid.start(1, base, null, null);
            Node node2 = grid.start(2, base, "127.0.0.1:" + base, node.joinToken());
            importGuest(node, TinyGuest.build());
            TemplateSpec none = new TemplateSpec("figure", 1, 160, GUEST.image(), 0, PoolKind.NON_PERSISTENT,
                    DesiredVms.of(0), 0, 2, 1800, 600);
            ok(node, new CreateTemplateCommand(none));
            grid.await("the base image on both nodes", Duration.ofMinutes(1), () -> node2.imageStore().has(GUEST)
                    && node.image().images().replicas(GUEST).size() == 2);
            long start = System.nanoTime();
            ok(node, new UpdateTemplateCommand(new TemplateSpec("figure", 1, 160, GUEST.image(), 0,
                    PoolKind.NON_PERSISTENT, DesiredVms.of(vms), vms, 2, 1800, 600)));
            long firstReady = -1;
            while (grid.readyVms().size() < vms) {
                if (firstReady < 0 && !grid.readyVms().isEmpty()) {
                    firstReady = System.nanoTime();
                }
                if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
                    fail("not within 10 minutes: " + vms + " agents ready; " + grid.describe());
                }
                Thread.sleep(100);
            }
            long end = System.nanoTime();
            System.out.printf("FIGURE desired VMs = %d -> %d agents ready: %.1f s (first agent ready after %.1f s);"
                            + " %d cores, load average %s%n", vms, vms, (end - start) / 1e9,
                    (firstReady < 0 ? end - start : firstReady - start) / 1e9, Runtime.getRuntime().availableProcessors(),
                    java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip());
            assertThat(grid.readyVms()).hasSize(vms);
        }
    }
}
