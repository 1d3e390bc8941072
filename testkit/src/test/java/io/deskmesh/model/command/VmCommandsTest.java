package io.deskmesh.model.command;

import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.VmAllocatedRecord;
import io.deskmesh.model.record.VmDeletedRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.model.record.VmUnhealthyRecord;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VmCommandsTest {
    /** s1 holds win11@1 and fits 4 VMs of 2 vCPU / 4 GiB (2 cores × 4 = 8 vCPUs, 16 GiB); s2 holds nothing. */
    private static GridFixture grid() {
        return GridFixture.grid().server("s1", "site-a", 2, 16_384, 100_000).server("s2")
                .image("win11", 1, 1L << 30, "s1")
                .template("office", t -> t.baseImage("win11").cpus(2).memoryMb(4096))
                .user("ann").grant("office", "ann");
    }

    @Test
    void allocationCreatesNamedVmsSizedFromTheTemplate() {
        GridFixture g = grid();
        long index = g.index() + 1;
        String base = "office-" + Long.toString(index, 36) + "-0";
        g.allocate("office", "s1", 3);
        assertThat(g.lastReply()).isEqualTo(new Reply.Allocated(List.of(base, base + "-1", base + "-2")));
        assertThat(g.lastRecords()).first().isEqualTo(new VmAllocatedRecord(base, "office", "s1", 1, 2, 4096, g.now()));
        assertThat(g.clusterImage().vms().on("office", "s1")).containsExactly(base, base + "-1", base + "-2");
        assertThat(g.clusterImage().vms().usage("s1").cpus()).isEqualTo(6);
        assertThat(g.clusterImage().vms().usage("s1").memoryMb()).isEqualTo(3 * 4096);
        assertThat(g.vm(base).state()).isEqualTo(VmState.ALLOCATED);
        assertThat(g.clusterImage().vms().free("office")).as("not built yet, so not free").isEmpty();
    }

    @Test
    void allocationValidatesTemplateCountAndServer() {
        GridFixture g = grid();
        g.refused(new AllocateVmsCommand("nope", "s1", 1), ErrorCode.NOT_FOUND, "template 'nope' does not exist");
        g.refused(new AllocateVmsCommand("office", "s1", 0), ErrorCode.INVALID, "VM count must be between 1 and 1000, was 0");
        g.refused(new AllocateVmsCommand("office", "s1", 1001), ErrorCode.INVALID, "was 1001");
        g.refused(new AllocateVmsCommand("office", "s9", 1), ErrorCode.NOT_FOUND, "server 's9' is not a member");
        g.refused(new AllocateVmsCommand("office", "s2", 1), ErrorCode.CONFLICT,
                "server 's2' does not hold base image win11@1 of template 'office'");
        g.transfer("win11", 1, "s2");
        g.refused(new AllocateVmsCommand("office", "s2", 1), ErrorCode.CONFLICT, "does not hold base image win11@1");
        g.template("future", t -> t.baseImage("rhel"));
        g.refused(new AllocateVmsCommand("future", "s1", 1), ErrorCode.CONFLICT, "base image rhel@0");
        assertThat(g.clusterImage().vms().size()).isZero();
    }

    @Test
    void allocationIsCheckedAgainstCapacity() {
        GridFixture g = grid().allocate("office", "s1", 3);
        g.refused(new AllocateVmsCommand("office", "s1", 2), ErrorCode.CAPACITY,
                "server 's1' has room for 1 more VM(s) of 2 vCPU / 4096 MiB, 2 asked");
        g.allocate("office", "s1", 1);
        g.refused(new AllocateVmsCommand("office", "s1", 1), ErrorCode.CAPACITY, "room for 0 more");
        // retiring frees nothing until the VM is deleted
        String vm = g.vmIds("office").get(0);
        g.retire(vm);
        g.refused(new AllocateVmsCommand("office", "s1", 1), ErrorCode.CAPACITY, "room for 0 more");
        g.run(new ReportVmDeletedCommand(vm)).allocate("office", "s1", 1);
    }

    @Test
    void allocationNeedsASchedulableServer() {
        GridFixture g = grid().drain("s1");
        g.refused(new AllocateVmsCommand("office", "s1", 1), ErrorCode.SERVER_UNAVAILABLE, "server 's1' is draining",
                "takes no new VMs");
        g.resume("s1").missing("s1");
        g.refused(new AllocateVmsCommand("office", "s1", 1), ErrorCode.SERVER_UNAVAILABLE, "server 's1' is missing");
        g.rejoin("s1").suspect("s1");
        g.refused(new AllocateVmsCommand("office", "s1", 1), ErrorCode.SERVER_UNAVAILABLE, "server 's1' is active (suspect)");
        g.rejoin("s1").allocate("office", "s1", 1);
    }

    @Test
    void allocationNeverReusesAnIdAnotherTemplateAlreadyHas() {
        // ids are <template>-<index>-<seq>[-k] in base 36: template 'a-z' at index 20 ('k'), seq 1 takes
        // 'a-z-k-1', which template 'a' at index 35 ('z'), seq 20 ('k'), counter 1 would generate again
        GridFixture g = GridFixture.grid().server("s1").image("img", 1, 1L << 30, "s1")
                .template("a", t -> t.baseImage("img")).template("a-z", t -> t.baseImage("img"));
        while (g.index() < 19) {
            g.resume("s1");
        }
        g.entry(new ResumeServerCommand("s1"), new AllocateVmsCommand("a-z", "s1", 1));
        assertThat(g.lastReply()).isEqualTo(new Reply.Allocated(List.of("a-z-k-1")));
        while (g.index() < 34) {
            g.resume("s1");
        }
        MeshCommand[] entry = new MeshCommand[21];
        for (int i = 0; i < 20; i++) {
            entry[i] = new ResumeServerCommand("s1");
        }
        entry[20] = new AllocateVmsCommand("a", "s1", 2);
        g.entry(entry);
        assertThat(g.index()).isEqualTo(35);
        assertThat(g.lastReply()).isInstanceOf(Reply.Failed.class);
        Reply.Failed f = (Reply.Failed) g.lastReply();
        assertThat(f.code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(f.message()).contains("VM id 'a-z-k-1' is already taken");
        assertThat(g.vmIds("a")).isEmpty();
    }

    @Test
    void hostReportsAreIdempotent() {
        GridFixture g = grid().allocate("office", "s1", 1);
        String vm = g.vmIds("office").get(0);
        g.run(new ReportVmStartedCommand(vm));
        assertThat(g.lastRecords()).as("an allocated VM cannot start").isEmpty();
        g.run(new ReportVmCreatedCommand(vm, "52:54:00:00:00:01"));
        assertThat(g.lastRecords()).hasSize(1);
        assertThat(g.vm(vm).state()).isEqualTo(VmState.STOPPED);
        assertThat(g.vm(vm).mac()).isEqualTo("52:54:00:00:00:01");
        g.run(new ReportVmCreatedCommand(vm, "52:54:00:00:00:02"));
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.vm(vm).mac()).isEqualTo("52:54:00:00:00:01");

        g.started(vm);
        assertThat(g.lastRecords()).hasSize(1);
        g.started(vm);
        assertThat(g.lastRecords()).isEmpty();
        g.run(new ReportVmCreatedCommand(vm, null));
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.vm(vm).state()).isEqualTo(VmState.RUNNING);

        g.stopped(vm);
        assertThat(g.lastRecords()).hasSize(1);
        g.stopped(vm);
        assertThat(g.lastRecords()).isEmpty();

        g.run(new ReportVmRegeneratedCommand(vm, 1));
        assertThat(g.lastRecords()).as("a stopped VM on that version is already clean").isEmpty();

        g.unhealthy(vm, "disk error");
        assertThat(g.lastRecords()).hasSize(1);
        g.unhealthy(vm, "disk error");
        assertThat(g.lastRecords()).isEmpty();
        g.run(new ReportVmRegeneratedCommand(vm, 1));
        assertThat(g.lastRecords()).as("an unhealthy VM is not brought back by a regeneration report").isEmpty();

        g.retire(vm);
        assertThat(g.lastRecords()).hasSize(1);
        g.retire(vm);
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.vm(vm).state()).isEqualTo(VmState.RETIRING);

        g.run(new ReportVmDeletedCommand(vm));
        assertThat(g.lastRecords()).containsExactly(new VmDeletedRecord(vm, g.now()));
        g.run(new ReportVmDeletedCommand(vm));
        assertThat(g.lastRecords()).isEmpty();
    }

    @Test
    void reportsAboutUnknownVmsAreRefusedNamingThem() {
        GridFixture g = grid();
        for (MeshCommand c : new MeshCommand[] {new ReportVmCreatedCommand("nope", "m"), new ReportVmStartedCommand("nope"),
                new ReportVmStoppedCommand("nope"), new ReportVmRegeneratedCommand("nope", 1),
                new MarkVmUnhealthyCommand("nope", "x"), new RetireVmCommand("nope", "x")}) {
            g.refused(c, ErrorCode.NOT_FOUND, "VM 'nope' does not exist");
        }
    }

    @Test
    void aVmHoldingASessionCannotBeRegeneratedOrRetiredButFailureOrDeletionEndsTheSession() {
        GridFixture g = grid().allocate("office", "s1", 3).buildAll();
        Reply.Reserved r = g.login("ann", "office");
        g.refused(new ReportVmRegeneratedCommand(r.vmId(), 1), ErrorCode.CONFLICT,
                "VM '" + r.vmId() + "' holds session '" + r.sessionId() + "'");
        g.refused(new RetireVmCommand(r.vmId(), "shrink"), ErrorCode.CONFLICT,
                "VM '" + r.vmId() + "' holds session '" + r.sessionId() + "'", "after log-off");

        g.unhealthy(r.vmId(), "agent silent");
        assertThat(g.lastRecords()).containsExactly(
                new SessionEndedRecord(r.sessionId(), "desktop failed: agent silent", g.now()),
                new VmUnhealthyRecord(r.vmId(), "agent silent", g.now()));
        assertThat(g.clusterImage().sessions().size()).isZero();
        VmImage broken = g.vm(r.vmId());
        assertThat(broken.sessionId()).isNull();
        assertThat(broken.free()).isFalse();

        Reply.Reserved again = g.login("ann", "office");
        assertThat(again.vmId()).isNotEqualTo(r.vmId());
        g.run(new ReportVmDeletedCommand(again.vmId()));
        assertThat(g.lastRecords()).containsExactly(new SessionEndedRecord(again.sessionId(), "desktop deleted", g.now()),
                new VmDeletedRecord(again.vmId(), g.now()));
        assertThat(g.clusterImage().sessions().ofUser("ann")).isEmpty();
    }
}
