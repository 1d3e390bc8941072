package io.deskmesh.model.plan;

import io.deskmesh.model.codec.PlanCodec;
import io.deskmesh.model.codec.SnapshotCodec;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.image.ClusterDelta;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.testkit.sim.GridScenario;
import io.deskmesh.testkit.sim.LogEntry;
import io.deskmesh.testkit.sim.SimulatedGrid;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One random log of more than 10,000 records, applied by several independent simulated nodes and
 * replayed in differently split batches (and through a snapshot), gives identical images and
 * byte-identical plans everywhere.
 */
class DeterminismTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 77L, 4242L})
    void everyNodeBuildsTheSameImageAndPlan(long seed) throws IOException {
        SimulatedGrid origin = new SimulatedGrid();
        GridScenario scenario = new GridScenario(seed, origin).build(40, 12, 400);
        while (origin.records().size() < 10_000) {
            scenario.live(500, 8);
        }
        List<LogEntry> log = origin.log();
        List<MeshRecord> records = origin.records();
        ClusterImage expected = origin.image();
        byte[] expectedPlan = PlanCodec.encode(GridPlanner.plan(expected));
        String why = "seed " + seed + " (" + records.size() + " records, " + log.size() + " entries)";

        // Independent nodes apply the same log entries (commands) and must agree at every checkpoint.
        ClusterImage nodeA = ClusterImage.EMPTY;
        ClusterImage nodeB = ClusterImage.EMPTY;
        for (int k = 0; k < log.size(); k++) {
            LogEntry e = log.get(k);
            nodeA = CommandProcessor.apply(nodeA, e.index(), e.at(), e.commands()).image();
            nodeB = CommandProcessor.apply(nodeB, e.index(), e.at(), e.commands()).image();
            if (k % 97 == 0) {
                assertThat(nodeB.toRecords()).as("images at entry %d, %s", k, why).isEqualTo(nodeA.toRecords());
                assertThat(PlanCodec.encode(GridPlanner.plan(nodeB))).as("plans at entry %d, %s", k, why)
                        .isEqualTo(PlanCodec.encode(GridPlanner.plan(nodeA)));
            }
        }
        assertSame(nodeA, expected, expectedPlan, "node A, " + why);
        assertSame(nodeB, expected, expectedPlan, "node B, " + why);

        // The records alone, replayed in batches of different sizes, rebuild the same image.
        SplittableRandom random = new SplittableRandom(seed);
        for (int maxBatch : new int[]{1, 7, 1000, records.size()}) {
            ClusterImage image = ClusterImage.EMPTY;
            int from = 0;
            while (from < records.size()) {
                int to = Math.min(records.size(), from + 1 + random.nextInt(maxBatch));
                ClusterDelta delta = new ClusterDelta(image);
                for (MeshRecord r : records.subList(from, to)) {
                    delta.replay(r);
                }
                image = delta.apply(image.index() + 1, 0);
                from = to;
            }
            ClusterImage stamped = new ClusterDelta(image).apply(expected.index(), expected.at());
            assertSame(stamped, expected, expectedPlan, "record batches up to " + maxBatch + ", " + why);
        }

        // A node that restarts from a snapshot taken half way and applies the rest agrees too.
        int half = log.size() / 2;
        ClusterImage halfway = ClusterImage.EMPTY;
        for (LogEntry e : log.subList(0, half)) {
            halfway = CommandProcessor.apply(halfway, e.index(), e.at(), e.commands()).image();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotCodec.write(halfway, bytes);
        ClusterImage restored = SnapshotCodec.read(new ByteArrayInputStream(bytes.toByteArray()));
        for (LogEntry e : log.subList(half, log.size())) {
            restored = CommandProcessor.apply(restored, e.index(), e.at(), e.commands()).image();
        }
        assertSame(restored, expected, expectedPlan, "snapshot at entry " + half + ", " + why);
    }

    private static void assertSame(ClusterImage actual, ClusterImage expected, byte[] expectedPlan, String why) {
        assertThat(actual.index()).as("index, %s", why).isEqualTo(expected.index());
        assertThat(actual.toRecords()).as("image, %s", why).isEqualTo(expected.toRecords());
        assertThat(actual.vms()).as("VMs with indexes, %s", why).isEqualTo(expected.vms());
        assertThat(new String(PlanCodec.encode(GridPlanner.plan(actual)))).as("plan bytes, %s", why)
                .isEqualTo(new String(expectedPlan));
    }

}
