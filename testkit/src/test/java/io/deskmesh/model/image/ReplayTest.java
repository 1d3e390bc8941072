package io.deskmesh.model.image;

import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DemandUnmetRecord;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.GrantRevokedRecord;
import io.deskmesh.model.record.GridCreatedRecord;
import io.deskmesh.model.record.GroupCreatedRecord;
import io.deskmesh.model.record.GroupDeletedRecord;
import io.deskmesh.model.record.GroupMemberAddedRecord;
import io.deskmesh.model.record.ImageVersionRegisteredRecord;
import io.deskmesh.model.record.ImageVersionRemovedRecord;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.PoolDemandObservedRecord;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.ReplicaLandedRecord;
import io.deskmesh.model.record.ReplicaRemovedRecord;
import io.deskmesh.model.record.ReplicaTransferFailedRecord;
import io.deskmesh.model.record.ReplicaTransferStartedRecord;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.ServerDrainedRecord;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.model.record.ServerMissingRecord;
import io.deskmesh.model.record.ServerRejoinedRecord;
import io.deskmesh.model.record.ServerRemovedRecord;
import io.deskmesh.model.record.ServerState;
import io.deskmesh.model.record.ServerSuspectedRecord;
import io.deskmesh.model.record.SessionConnectedRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.TemplateCreatedRecord;
import io.deskmesh.model.record.TemplateDeletedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.TemplateUpdatedRecord;
import io.deskmesh.model.record.UserCreatedRecord;
import io.deskmesh.model.record.UserDeletedRecord;
import io.deskmesh.model.record.VmAllocatedRecord;
import io.deskmesh.model.record.VmCreatedRecord;
import io.deskmesh.model.record.VmDeletedRecord;
import io.deskmesh.model.record.VmDirtyRecord;
import io.deskmesh.model.record.VmOwnerAssignedRecord;
import io.deskmesh.model.record.VmRegeneratedRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.model.record.VmStoppedRecord;
import io.deskmesh.testkit.Grids;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replay fixtures: short hand-written record sequences and the image they must build. */
class ReplayTest {
    private static final Capacity CAP = new Capacity(16, 65_536, 1_000_000);
    private static final TemplateSpec OFFICE = new TemplateSpec("office", 2, 4096, "win11", 1, PoolKind.NON_PERSISTENT,
            DesiredVms.of(4), 0, 1, 0, 0);
    private static final String SHA = "a".repeat(64);

    private static ClusterImage replay(MeshRecord... records) {
        return ClusterImage.EMPTY.replay(records.length, List.of(records));
    }

    /** A grid with servers s1 and s2, win11@1 on s1 and template office, at times 1..5. */
    private static List<MeshRecord> base() {
        return List.of(new GridCreatedRecord("g", 1), new ServerJoinedRecord("s1", "a", "s1:1", CAP, 2),
                new ServerJoinedRecord("s2", "b", "s2:1", CAP, 3),
                new ImageVersionRegisteredRecord("win11", 1, 1_000, SHA, 0, 4),
                new ReplicaLandedRecord("win11", 1, "s1", 4), new TemplateCreatedRecord(OFFICE, 5));
    }

    private static ClusterImage baseImage() {
        return ClusterImage.EMPTY.replay(1, base());
    }

    @Test
    void replayStampsIndexAndLatestTime() {
        ClusterImage img = baseImage();
        assertThat(img.index()).isEqualTo(1);
        assertThat(img.at()).isEqualTo(5);
        assertThat(img.grid()).isEqualTo(new GridImage("g", 1));
        ClusterImage next = img.replay(2, List.of(new ServerDrainedRecord("s2", 9)));
        assertThat(next.index()).isEqualTo(2);
        assertThat(next.at()).isEqualTo(9);
        assertThat(img.servers().get("s2").orElseThrow().draining()).as("the old image is untouched").isFalse();
    }

    @Test
    void serverFlagsAreIndependentAndRejoinClearsMissingAndSuspect() {
        ClusterImage img = baseImage().replay(2, List.of(new ServerDrainedRecord("s2", 10),
                new ServerSuspectedRecord("s2", "s1", "timeout", 11), new ServerMissingRecord("s2", "silent", 12)));
        ServerImage s2 = img.servers().get("s2").orElseThrow();
        assertThat(s2.state()).isEqualTo(ServerState.MISSING);
        assertThat(s2.draining()).isTrue();
        assertThat(s2.suspect()).isTrue();
        assertThat(s2.schedulable()).isFalse();
        assertThat(img.servers().live()).extracting(ServerImage::name).containsExactly("s1");

        ServerImage back = img.replay(3, List.of(new ServerRejoinedRecord("s2", "s2:2", 13))).servers().get("s2")
                .orElseThrow();
        assertThat(back).isEqualTo(new ServerImage("s2", "b", "s2:2", CAP, true, false, false, 3, 13));
        assertThat(back.state()).as("a drained server that returns is still drained").isEqualTo(ServerState.DRAINING);
    }

    @Test
    void transferFailureDropsTheInFlightReplicaAndLandingClearsTheFailure() {
        ImageRef ref = new ImageRef("win11", 1);
        ClusterImage started = baseImage().replay(2, List.of(new ReplicaTransferStartedRecord("win11", 1, "s2", "s1", 10)));
        assertThat(started.images().replicas(ref).get("s2")).isEqualTo(new ReplicaImage(ref, "s2", false, "s1", 10));
        assertThat(started.images().hasLanded(ref, "s2")).isFalse();
        assertThat(started.images().bytesOn("s2")).isEqualTo(1_000);

        ClusterImage failed = started.replay(3, List.of(new ReplicaTransferFailedRecord("win11", 1, "s2", "bad sum", 11)));
        assertThat(failed.images().replicas(ref)).containsOnlyKeys("s1");
        assertThat(failed.images().failures(ref)).containsEntry("s2", new TransferFailure("bad sum", 11));
        assertThat(failed.images().onServer("s2")).isEmpty();

        ClusterImage landed = failed.replay(4, List.of(new ReplicaTransferStartedRecord("win11", 1, "s2", "s1", 12),
                new ReplicaLandedRecord("win11", 1, "s2", 13)));
        assertThat(landed.images().hasLanded(ref, "s2")).isTrue();
        assertThat(landed.images().failures(ref)).isEmpty();
        assertThat(landed.images().onServer("s2")).containsOnlyKeys(ref);
    }

    @Test
    void removingAServerForgetsItsReplicasAndFailures() {
        ImageRef ref = new ImageRef("win11", 1);
        ClusterImage img = baseImage().replay(2, List.of(new ReplicaTransferFailedRecord("win11", 1, "s2", "x", 10),
                new ReplicaLandedRecord("win11", 1, "s1", 11), new ServerRemovedRecord("s1", 12),
                new ServerRemovedRecord("s2", 13)));
        assertThat(img.servers().size()).isZero();
        assertThat(img.images().replicas(ref)).isEmpty();
        assertThat(img.images().failures(ref)).isEmpty();
        assertThat(img.images().version(ref)).isPresent();
    }

    @Test
    void imageVersionRemovalNeedsNoReplicaLeft() {
        ClusterImage img = baseImage();
        assertThatThrownBy(() -> img.replay(2, List.of(new ImageVersionRemovedRecord("win11", 1, 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("win11@1").hasMessageContaining("still hold");
        ClusterImage gone = img.replay(2, List.of(new ReplicaRemovedRecord("win11", 1, "s1", 9),
                new ImageVersionRemovedRecord("win11", 1, 10)));
        assertThat(gone.images().versions()).isEmpty();
        assertThat(gone.images().latest("win11")).isEmpty();
    }

    @Test
    void vmLifecycleKeepsFreeAndUsageIndexesInStep() {
        ClusterImage img = baseImage().replay(2, List.of(
                new VmAllocatedRecord("vm1", "office", "s1", 1, 2, 4096, 10),
                new VmAllocatedRecord("vm2", "office", "s1", 1, 2, 4096, 10)));
        assertThat(img.vms().free("office")).isEmpty();
        assertThat(img.vms().usage("s1")).isEqualTo(new ServerUsage(2, 0, 4, 8192, 0, 0));

        img = img.replay(3, List.of(new VmCreatedRecord("vm1", "52:54:00:00:00:01", 11), new VmStartedRecord("vm1", 12),
                new VmCreatedRecord("vm2", null, 11)));
        assertThat(img.vms().freeOn("office", "s1")).containsExactly("vm1", "vm2");
        assertThat(img.vms().usage("s1").running()).isEqualTo(1);
        assertThat(img.vms().get("vm2").orElseThrow().mac()).isEmpty();

        img = img.replay(4, List.of(new SessionReservedRecord("sess1", "ann", "office", "vm1", "s1", 13)));
        assertThat(img.vms().freeOn("office", "s1")).containsExactly("vm2");
        assertThat(img.vms().get("vm1").orElseThrow().sessionId()).isEqualTo("sess1");
        assertThat(img.sessions().get("sess1").orElseThrow().state()).isEqualTo(SessionState.RESERVED);
        assertThat(img.sessions().onServer("s1")).isEqualTo(1);

        img = img.replay(5, List.of(new SessionEndedRecord("sess1", "logged off", 14), new VmDirtyRecord("vm1", 14)));
        assertThat(img.sessions().size()).isZero();
        assertThat(img.sessions().onServer("s1")).isZero();
        assertThat(img.sessions().demand("office").peakSessions()).isEqualTo(1);
        assertThat(img.vms().get("vm1").orElseThrow().state()).isEqualTo(VmState.DIRTY);
        assertThat(img.vms().freeOn("office", "s1")).containsExactly("vm2");

        img = img.replay(6, List.of(new VmRegeneratedRecord("vm1", 1, 15), new VmStoppedRecord("vm2", 15)));
        assertThat(img.vms().get("vm1").orElseThrow().state()).isEqualTo(VmState.STOPPED);
        assertThat(img.vms().freeOn("office", "s1")).containsExactly("vm1", "vm2");
        assertThat(img.vms().usage("s1").running()).isZero();

        img = img.replay(7, List.of(new VmDeletedRecord("vm1", 16), new VmDeletedRecord("vm2", 16)));
        assertThat(img.vms().size()).isZero();
        assertThat(img.vms().placement("office")).isEmpty();
        assertThat(img.vms().serversWithVms()).isEmpty();
        assertThat(img.vms().usage("s1")).isEqualTo(ServerUsage.NONE);
    }

    @Test
    void anOwnedVmIsNotFreeButIsFoundByItsOwner() {
        ClusterImage img = baseImage().replay(2, List.of(
                new VmAllocatedRecord("vm1", "office", "s1", 1, 2, 4096, 10), new VmCreatedRecord("vm1", "m", 11),
                new VmOwnerAssignedRecord("vm1", "ann", 12)));
        assertThat(img.vms().free("office")).isEmpty();
        assertThat(img.vms().ownedBy("office", "ann")).contains("vm1");
        assertThat(img.vms().owners("office")).containsExactly(java.util.Map.entry("ann", "vm1"));
        assertThatThrownBy(() -> img.replay(3, List.of(new VmOwnerAssignedRecord("vm1", "bob", 13))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("vm1").hasMessageContaining("ann");
    }

    @Test
    void sessionStatesAndDemandAreReplayed() {
        ClusterImage img = baseImage().replay(2, List.of(
                new VmAllocatedRecord("vm1", "office", "s1", 1, 2, 4096, 10), new VmCreatedRecord("vm1", "m", 11),
                new SessionReservedRecord("sess1", "ann", "office", "vm1", "s1", 12),
                new SessionConnectedRecord("sess1", 13), new DemandUnmetRecord("office", "bob", 14),
                new DemandUnmetRecord("office", "cid", 15)));
        assertThat(img.sessions().get("sess1").orElseThrow())
                .isEqualTo(new SessionImage("sess1", "ann", "office", "vm1", "s1", SessionState.CONNECTED, 12, 13));
        assertThat(img.sessions().ofUser("ann", "office")).isPresent();
        assertThat(img.sessions().ofUser("ann", "kiosk")).isEmpty();
        assertThat(img.sessions().demand("office")).isEqualTo(new PoolDemand(1, 2, 15));

        ClusterImage observed = img.replay(3, List.of(new PoolDemandObservedRecord("office", 9, 40, 20)));
        assertThat(observed.sessions().demand("office")).isEqualTo(new PoolDemand(9, 40, 20));
        ClusterImage deleted = baseImage().replay(2, List.of(new DemandUnmetRecord("office", "bob", 9),
                new TemplateDeletedRecord("office", 10)));
        assertThat(deleted.sessions().demand()).isEmpty();
    }

    @Test
    void templateUpdatesReplaceTheSpecAndKeepCreationTime() {
        TemplateSpec changed = OFFICE.withDesiredVms(DesiredVms.AUTO);
        ClusterImage img = baseImage().replay(2, List.of(new TemplateUpdatedRecord(changed, 20)));
        assertThat(img.templates().get("office").orElseThrow()).isEqualTo(new TemplateImage(changed, 5, 20));
    }

    @Test
    void entitlementComesFromUserOrGroupGrants() {
        ClusterImage img = baseImage().replay(2, List.of(
                new UserCreatedRecord("ann", "h", Role.USER, null, 10), new UserCreatedRecord("bob", "h", Role.USER, "b", 10),
                new GroupCreatedRecord("fin", 11), new GroupMemberAddedRecord("fin", "bob", 12),
                new GrantCreatedRecord("g1", "office", "ann", null, 13), new GrantCreatedRecord("g2", "office", null, "fin", 13)));
        assertThat(img.accounts().user("ann").orElseThrow().site()).isEmpty();
        assertThat(img.accounts().entitled("ann", "office")).isTrue();
        assertThat(img.accounts().entitled("bob", "office")).isTrue();
        assertThat(img.accounts().entitledUsers("office")).containsExactly("ann", "bob");
        assertThat(img.accounts().entitlements("bob")).containsExactly("office");

        ClusterImage less = img.replay(3, List.of(new GrantRevokedRecord("g2", 14), new GroupDeletedRecord("fin", 15)));
        assertThat(less.accounts().entitled("bob", "office")).isFalse();
        assertThat(less.accounts().groupsOf("bob")).isEmpty();
        assertThat(less.accounts().entitled("ann", "office")).isTrue();

        assertThatThrownBy(() -> img.replay(3, List.of(new UserDeletedRecord("ann", 16))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("'ann'").hasMessageContaining("grants");
    }

    // ------------------------------------------------------------------ contradictions

    @Test
    void refusesARecordNamingAnUnknownServer() {
        assertThatThrownBy(() -> baseImage().replay(2, List.of(new ServerDrainedRecord("s9", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown server 's9'");
        assertThatThrownBy(() -> baseImage().replay(2, List.of(new ServerJoinedRecord("s1", "a", "x", CAP, 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("server 's1' joined twice");
    }

    @Test
    void refusesAVmAllocatedTwice() {
        VmAllocatedRecord vm = new VmAllocatedRecord("vm1", "office", "s1", 1, 2, 4096, 10);
        assertThatThrownBy(() -> baseImage().replay(2, List.of(vm, vm)))
                .isInstanceOf(ReplayException.class).hasMessageContaining("VM 'vm1' allocated twice");
    }

    @Test
    void refusesReservingAVmAnotherSessionHolds() {
        ClusterImage img = baseImage().replay(2, List.of(
                new VmAllocatedRecord("vm1", "office", "s1", 1, 2, 4096, 10), new VmCreatedRecord("vm1", "m", 11),
                new SessionReservedRecord("sess1", "ann", "office", "vm1", "s1", 12)));
        assertThatThrownBy(() -> img.replay(3, List.of(new SessionReservedRecord("sess2", "bob", "office", "vm1", "s1", 13))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("'vm1'").hasMessageContaining("'sess1'");
        assertThatThrownBy(() -> img.replay(3, List.of(new SessionReservedRecord("sess1", "ann", "office", "vm1", "s1", 13))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("session 'sess1' reserved twice");
    }

    @Test
    void refusesOtherContradictions() {
        ClusterImage img = baseImage();
        assertThatThrownBy(() -> img.replay(2, List.of(new GridCreatedRecord("h", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("'g' then 'h'");
        assertThatThrownBy(() -> img.replay(2, List.of(new VmStartedRecord("nope", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown VM 'nope'");
        assertThatThrownBy(() -> img.replay(2, List.of(new TemplateUpdatedRecord(OFFICE.withImageVersion(2)
                        .withDesiredVms(DesiredVms.of(1)), 9), new TemplateCreatedRecord(OFFICE, 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("template 'office' created twice");
        assertThatThrownBy(() -> img.replay(2, List.of(new ReplicaLandedRecord("win11", 7, "s1", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown image version win11@7");
        assertThatThrownBy(() -> img.replay(2, List.of(new ReplicaRemovedRecord("win11", 1, "s2", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("'s2'");
        assertThatThrownBy(() -> img.replay(2, List.of(new SessionConnectedRecord("nope", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown session 'nope'");
        assertThatThrownBy(() -> img.replay(2, List.of(new GrantCreatedRecord("g1", "office", "ann", "fin", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> img.replay(2, List.of(new GroupMemberAddedRecord("nope", "ann", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown group 'nope'");
        assertThatThrownBy(() -> img.replay(2, List.of(new TemplateDeletedRecord("nope", 9))))
                .isInstanceOf(ReplayException.class).hasMessageContaining("unknown template 'nope'");
    }

    // ------------------------------------------------------------------ structural sharing

    @Test
    void replayingOneVmRecordSharesEveryUntouchedPart() {
        ClusterImage before = Grids.rich().clusterImage();
        String vm = before.vms().free("kiosk").values().iterator().next().first();
        ClusterImage after = before.replay(before.index() + 1, List.of(new VmStoppedRecord(vm, before.at() + 1)));
        assertThat(after.vms().get(vm).orElseThrow().state()).isEqualTo(VmState.STOPPED);
        assertThat(after.vms()).isNotSameAs(before.vms());
        assertThat(after.grid()).isSameAs(before.grid());
        assertThat(after.servers()).isSameAs(before.servers());
        assertThat(after.templates()).isSameAs(before.templates());
        assertThat(after.images()).isSameAs(before.images());
        assertThat(after.sessions()).isSameAs(before.sessions());
        assertThat(after.accounts()).isSameAs(before.accounts());
        for (VmImage other : before.vms().all()) {
            if (!other.vmId().equals(vm)) {
                assertThat(after.vms().get(other.vmId()).orElseThrow()).isSameAs(other);
            }
        }
    }

    @Test
    void replayingNothingGivesEqualPartsAtTheNewIndex() {
        ClusterImage before = baseImage();
        ClusterImage after = before.replay(7, List.of());
        assertThat(after.index()).isEqualTo(7);
        assertThat(after.at()).isEqualTo(before.at());
        assertThat(after.servers()).isSameAs(before.servers());
        assertThat(after.vms()).isSameAs(before.vms());
    }
}
