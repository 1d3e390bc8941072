package io.deskmesh.model.command;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.ReplicaRemovedRecord;
import io.deskmesh.model.record.ServerCapacityReportedRecord;
import io.deskmesh.model.record.ServerRejoinedRecord;
import io.deskmesh.model.record.ServerRemovedRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.VmDeletedRecord;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerCommandsTest {
    private static final Capacity CAP = new Capacity(16, 65_536, 1_000_000);

    @Test
    void theGridIsCreatedOnce() {
        GridFixture g = GridFixture.empty();
        assertThat(g.ok(new CreateGridCommand("g1"))).isEqualTo(new Reply.Created("g1"));
        assertThat(g.clusterImage().grid().gridId()).isEqualTo("g1");
        assertThat(g.clusterImage().grid().createdAt()).isEqualTo(GridFixture.EPOCH);
        g.refused(new CreateGridCommand("g2"), ErrorCode.CONFLICT, "already exists as 'g1'");
        assertThat(g.lastRecords()).isEmpty();
        GridFixture.empty().refused(new CreateGridCommand(" "), ErrorCode.INVALID, "grid id must not be empty");
    }

    @Test
    void joinValidatesNameAddressAndCapacity() {
        GridFixture g = GridFixture.grid();
        g.refused(new JoinServerCommand("Bad Name", "a", "h:1", CAP), ErrorCode.INVALID, "server name 'Bad Name' is invalid");
        g.refused(new JoinServerCommand("-s", "a", "h:1", CAP), ErrorCode.INVALID, "'-s'");
        g.refused(new JoinServerCommand("s".repeat(64), "a", "h:1", CAP), ErrorCode.INVALID, "1-63");
        g.refused(new JoinServerCommand("s1", "a", "", CAP), ErrorCode.INVALID, "server address must not be empty");
        g.refused(new JoinServerCommand("s1", "a", "h:1", null), ErrorCode.INVALID, "capacity is missing");
        g.refused(new JoinServerCommand("s1", "a", "h:1", new Capacity(0, 65_536, 1)), ErrorCode.INVALID,
                "server cpus must be between 1 and 4096, was 0");
        g.refused(new JoinServerCommand("s1", "a", "h:1", new Capacity(4, 255, 1)), ErrorCode.INVALID,
                "server memoryMb must be between 256", "was 255");
        assertThat(g.clusterImage().servers().size()).isZero();

        g.server("s1", null, 16, 65_536, 1_000_000);
        ServerImage s1 = g.clusterImage().servers().get("s1").orElseThrow();
        assertThat(s1.site()).isEmpty();
        assertThat(s1.address()).isEqualTo("s1:8443");
        assertThat(s1.schedulable()).isTrue();
        g.refused(new JoinServerCommand("s1", "a", "other:1", CAP), ErrorCode.CONFLICT, "server 's1' is already a member");
    }

    @Test
    void capacityReportsAreIdempotent() {
        GridFixture g = GridFixture.grid().server("s1", "a", 16, 65_536, 1_000_000);
        Capacity bigger = new Capacity(32, 65_536, 1_000_000);
        g.ok(new ReportCapacityCommand("s1", bigger));
        assertThat(g.lastRecords()).containsExactly(new ServerCapacityReportedRecord("s1", bigger, g.now()));
        g.ok(new ReportCapacityCommand("s1", bigger));
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.clusterImage().servers().get("s1").orElseThrow().capacity()).isEqualTo(bigger);
        g.refused(new ReportCapacityCommand("s9", bigger), ErrorCode.NOT_FOUND, "server 's9' is not a member");
        g.refused(new ReportCapacityCommand("s1", new Capacity(0, 1024, 0)), ErrorCode.INVALID, "was 0");
    }

    @Test
    void drainResumeMissingSuspectAndRejoinAreIdempotent() {
        GridFixture g = GridFixture.grid().server("s1");
        g.drain("s1");
        assertThat(g.lastRecords()).hasSize(1);
        g.drain("s1");
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.clusterImage().servers().get("s1").orElseThrow().draining()).isTrue();
        g.resume("s1");
        assertThat(g.lastRecords()).hasSize(1);
        g.resume("s1");
        assertThat(g.lastRecords()).isEmpty();

        g.missing("s1");
        assertThat(g.lastRecords()).hasSize(1);
        g.missing("s1");
        assertThat(g.lastRecords()).isEmpty();
        g.suspect("s1");
        assertThat(g.lastRecords()).as("a missing server is not also suspected").isEmpty();
        g.rejoin("s1");
        assertThat(g.lastRecords()).containsExactly(new ServerRejoinedRecord("s1", "s1:8443", g.now()));
        g.rejoin("s1");
        assertThat(g.lastRecords()).isEmpty();

        g.suspect("s1");
        assertThat(g.lastRecords()).hasSize(1);
        assertThat(g.clusterImage().servers().get("s1").orElseThrow().schedulable()).isFalse();
        g.suspect("s1");
        assertThat(g.lastRecords()).isEmpty();
        g.rejoin("s1");
        assertThat(g.clusterImage().servers().get("s1").orElseThrow().schedulable()).isTrue();

        g.ok(new RejoinServerCommand("s1", "10.0.0.7:8443"));
        assertThat(g.lastRecords()).as("a moved address is recorded").hasSize(1);
        assertThat(g.clusterImage().servers().get("s1").orElseThrow().address()).isEqualTo("10.0.0.7:8443");

        for (MeshCommand c : new MeshCommand[] {new DrainServerCommand("nope"), new ResumeServerCommand("nope"),
                new MarkServerMissingCommand("nope", "x"), new RejoinServerCommand("nope", null),
                new SuspectServerCommand("nope", "s1", "x"), new RemoveServerCommand("nope")}) {
            g.refused(c, ErrorCode.NOT_FOUND, "server 'nope'");
        }
    }

    @Test
    void removingAServerEndsItsSessionsDeletesItsVmsAndDropsItsReplicas() {
        GridFixture g = GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11"))
                .user("ann").grant("office", "ann")
                .allocate("office", "s1", 2).allocate("office", "s2", 1).buildAll();
        Reply.Reserved r = g.login("ann", "office", "s2");
        assertThat(r.server()).isEqualTo("s1");

        g.run(new RemoveServerCommand("s1"));
        assertThat(g.lastRecords()).hasSize(5);
        assertThat(g.lastRecords().get(0)).isEqualTo(new SessionEndedRecord(r.sessionId(), "server 's1' was removed", g.now()));
        assertThat(g.lastRecords().subList(1, 3)).allMatch(rec -> rec instanceof VmDeletedRecord);
        assertThat(g.lastRecords().get(3)).isEqualTo(new ReplicaRemovedRecord("win11", 1, "s1", g.now()));
        assertThat(g.lastRecords().get(4)).isEqualTo(new ServerRemovedRecord("s1", g.now()));

        assertThat(g.clusterImage().servers().contains("s1")).isFalse();
        assertThat(g.clusterImage().sessions().size()).isZero();
        assertThat(g.clusterImage().vms().all()).extracting(v -> v.server()).containsOnly("s2");
        assertThat(g.clusterImage().images().replicas(new ImageRef("win11", 1))).containsOnlyKeys("s2");
    }
}
