package io.deskmesh.model.plan;

import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.testkit.sim.GridInvariants;
import io.deskmesh.testkit.sim.GridScenario;
import io.deskmesh.testkit.sim.SimulatedGrid;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 50-server grid started empty and driven only by the planners' own actions reaches a steady
 * state, then survives five server losses and five additions, converging each time with every
 * pool at its size, every image on enough servers, and load spread evenly.
 */
class GridSimulationTest {
    private static final int MAX_ROUNDS = 25;

    @Test
    void fiftyServersConvergeSurviveLossesAndAbsorbAdditions() {
        long seed = 20261122L;
        SimulatedGrid grid = new SimulatedGrid();
        GridScenario scenario = new GridScenario(seed, grid).build(50, 12, 600);

        int rounds = grid.converge(MAX_ROUNDS);
        assertThat(rounds).as("rounds to converge from empty, seed %d", seed).isBetween(1, MAX_ROUNDS);
        assertSteady(grid, "after start");

        SplittableRandom random = new SplittableRandom(seed);
        for (int k = 0; k < 5; k++) {
            List<ServerImage> live = grid.image().servers().all().stream().filter(ServerImage::schedulable).toList();
            ServerImage lost = live.get(random.nextInt(live.size()));
            grid.submit(new MarkServerMissingCommand(lost.name(), "simulated loss"));
            grid.converge(MAX_ROUNDS);
            assertSteady(grid, "after losing " + lost.name());
        }
        for (int k = 0; k < 5; k++) {
            JoinServerCommand join = scenario.joinCommand();
            grid.submit(join);
            grid.converge(MAX_ROUNDS);
            assertSteady(grid, "after adding " + join.name());
            ClusterImage image = grid.image();
            assertThat(image.vms().usage(join.name()).vms()).as("VMs on new server %s", join.name()).isPositive();
            assertThat(image.images().onServer(join.name())).as("images on new server %s", join.name()).isNotEmpty();
        }
        assertThat(grid.failures()).as("outcomes refused by apply-time checks").isEmpty();
    }

    private static void assertSteady(SimulatedGrid grid, String when) {
        ClusterImage image = grid.image();
        Plan plan = grid.plan();
        assertThat(plan.actions()).as("plan %s", when).isEmpty();
        assertThat(GridInvariants.all(image, plan)).as("invariants %s", when).isEmpty();
        assertThat(GridInvariants.replicas(image)).as("replicas %s", when).isEmpty();
        for (TemplateImage t : image.templates().all()) {
            assertThat(VmAllocationPlanner.counted(image, t)).as("VMs of %s %s", t.name(), when)
                    .isEqualTo(PoolSizer.desired(image, t));
        }
        double min = Double.MAX_VALUE;
        double max = 0;
        for (ServerImage s : image.servers().all()) {
            if (s.schedulable()) {
                double u = CapacityModel.utilisation(s.capacity(), image.vms().usage(s.name()));
                min = Math.min(min, u);
                max = Math.max(max, u);
            }
        }
        System.out.printf("%s: utilisation %.3f..%.3f, %d VMs%n", when, min, max, image.vms().size());
        assertThat(max - min).as("utilisation spread %s", when).isLessThanOrEqualTo(0.15);
    }
}
