package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.DemandUnmetRecord;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.SessionConnectedRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionExpiredRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.VmDirtyRecord;
import io.deskmesh.model.record.VmOwnerAssignedRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCommandsTest {
    /** Servers s1 and s2 holding win11@1, template {@code name} with {@code perServer} running VMs on each. */
    private static GridFixture pool(String name, boolean persistent, int perServer) {
        return GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
                .template(name, t -> (persistent ? t.persistent() : t.nonPersistent()).baseImage("win11"))
                .allocate(name, "s1", perServer).allocate(name, "s2", perServer).buildAll();
    }

    private static void assertEveryVmHasAtMostOneSession(ClusterImage image) {
        Set<String> held = new HashSet<>();
        for (SessionImage s : image.sessions().all()) {
            assertThat(held.add(s.vmId())).as("VM %s is held by one session", s.vmId()).isTrue();
            assertThat(image.vms().get(s.vmId()).orElseThrow().sessionId()).isEqualTo(s.id());
        }
        for (VmImage vm : image.vms().all()) {
            if (vm.sessionId() != null) {
                assertThat(image.sessions().get(vm.sessionId())).isPresent();
            }
        }
    }

    @Test
    void aUserWhoHasASessionReconnectsToIt() {
        GridFixture g = pool("kiosk", false, 2).user("ann").grant("kiosk", "ann");
        Reply.Reserved first = g.login("ann", "kiosk");
        assertThat(first.reconnect()).isFalse();
        assertThat(g.lastRecords()).containsExactly(new SessionReservedRecord(first.sessionId(), "ann", "kiosk",
                first.vmId(), first.server(), g.now()));
        assertThat(first.sessionId()).isEqualTo("s-" + Long.toString(g.index(), 36) + "-0");

        g.connect(first.sessionId()).disconnect(first.sessionId());
        Reply.Reserved again = g.login("ann", "kiosk");
        assertThat(again).isEqualTo(new Reply.Reserved(first.sessionId(), first.vmId(), first.server(), true));
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.clusterImage().sessions().ofUser("ann")).hasSize(1);
    }

    @Test
    void eachServerSeesTheReservationsItHasToPrepareUntilTheyConnectDisconnectOrEnd() {
        GridFixture g = pool("kiosk", false, 2).user("ann").user("bob").user("cid")
                .grant("kiosk", "ann").grant("kiosk", "bob").grant("kiosk", "cid");
        Reply.Reserved a = g.login("ann", "kiosk");
        Reply.Reserved b = g.login("bob", "kiosk");
        Reply.Reserved c = g.login("cid", "kiosk");
        Set<String> all = new HashSet<>();
        for (String server : List.of("s1", "s2")) {
            all.addAll(g.clusterImage().sessions().reservedOn(server));
            for (String id : g.clusterImage().sessions().reservedOn(server)) {
                assertThat(g.clusterImage().sessions().get(id).orElseThrow().server()).isEqualTo(server);
            }
        }
        assertThat(all).containsExactlyInAnyOrder(a.sessionId(), b.sessionId(), c.sessionId());

        g.connect(a.sessionId()).disconnect(b.sessionId()).endSession(c.sessionId());
        assertThat(g.clusterImage().sessions().reservedOn("s1")).isEmpty();
        assertThat(g.clusterImage().sessions().reservedOn("s2")).isEmpty();
        assertThat(g.clusterImage().sessions().reservedOn("nowhere")).isEmpty();

        g.disconnect(a.sessionId());
        Reply.Reserved again = g.login("ann", "kiosk");
        assertThat(again.reconnect()).isTrue();
        assertThat(g.clusterImage().sessions().reservedOn(again.server())).as("a reconnect is no new reservation").isEmpty();
    }

    @Test
    void fiftyLoginsInOneEntryForTwentyFreeVmsReserveExactlyTwenty() {
        GridFixture g = pool("kiosk", false, 10).group("staff");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String u = String.format("user%02d", i);
            users.add(u);
            g.user(u);
        }
        g.members("staff", users.toArray(String[]::new)).grantGroup("kiosk", "staff");
        assertThat(g.clusterImage().vms().free("kiosk").values().stream().mapToInt(Set::size).sum()).isEqualTo(20);

        List<MeshCommand> logins = users.stream().<MeshCommand>map(u -> new ReserveDesktopCommand(u, "kiosk", null)).toList();
        CommandProcessor.BatchResult entry = g.entry(logins);

        List<Reply> replies = entry.replies();
        assertThat(replies).hasSize(50);
        List<Reply.Reserved> reserved = replies.stream().filter(r -> r instanceof Reply.Reserved)
                .map(r -> (Reply.Reserved) r).toList();
        List<Reply.Failed> failed = replies.stream().filter(r -> r instanceof Reply.Failed).map(r -> (Reply.Failed) r).toList();
        assertThat(reserved).hasSize(20);
        assertThat(reserved).extracting(Reply.Reserved::vmId).doesNotHaveDuplicates();
        assertThat(reserved).extracting(Reply.Reserved::sessionId).doesNotHaveDuplicates();
        assertThat(reserved).noneMatch(Reply.Reserved::reconnect);
        assertThat(failed).hasSize(30).allSatisfy(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.NO_DESKTOP);
            assertThat(f.message()).contains("no free desktop of template 'kiosk'", "20 of 20 VMs in use");
        });
        // log order decides: the first twenty logins won
        assertThat(replies.subList(0, 20)).allMatch(r -> r instanceof Reply.Reserved);

        List<MeshRecord> records = entry.records();
        assertThat(records).filteredOn(r -> r instanceof SessionReservedRecord).hasSize(20);
        assertThat(records).filteredOn(r -> r instanceof DemandUnmetRecord).hasSize(30)
                .extracting(r -> ((DemandUnmetRecord) r).user()).containsExactlyElementsOf(users.subList(20, 50));
        assertThat(records).hasSize(50);

        ClusterImage image = g.clusterImage();
        assertEveryVmHasAtMostOneSession(image);
        assertThat(image.sessions().size()).isEqualTo(20);
        assertThat(image.vms().free("kiosk")).isEmpty();
        assertThat(image.sessions().demand("kiosk").unmetLogins()).isEqualTo(30);
        assertThat(image.sessions().demand("kiosk").peakSessions()).isEqualTo(20);
        assertThat(image.sessions().demand("kiosk").lastUnmetAt()).isEqualTo(g.now());

        // the same fifty again: twenty reconnects to the same desktops, thirty still without one
        List<Reply> second = g.entry(logins).replies();
        for (int i = 0; i < 20; i++) {
            Reply.Reserved r = (Reply.Reserved) second.get(i);
            assertThat(r.reconnect()).isTrue();
            assertThat(r.vmId()).isEqualTo(((Reply.Reserved) replies.get(i)).vmId());
        }
        assertThat(second.subList(20, 50)).allMatch(r -> r instanceof Reply.Failed f && f.code() == ErrorCode.NO_DESKTOP);
        assertThat(g.clusterImage().sessions().size()).isEqualTo(20);
        assertThat(g.clusterImage().sessions().demand("kiosk").unmetLogins()).isEqualTo(60);
    }

    @Test
    void aPersistentDesktopBelongsToItsFirstUserForGood() {
        GridFixture g = pool("office", true, 1).user("ann").user("bob").user("cid")
                .grant("office", "ann").grant("office", "bob").grant("office", "cid");

        Reply.Reserved ann = g.login("ann", "office");
        assertThat(g.lastRecords()).contains(new VmOwnerAssignedRecord(ann.vmId(), "ann", g.now()));
        assertThat(g.vm(ann.vmId()).owner()).isEqualTo("ann");
        g.connect(ann.sessionId()).endSession(ann.sessionId());
        assertThat(g.lastRecords()).as("a persistent desktop is not made dirty at log-off")
                .containsExactly(new SessionEndedRecord(ann.sessionId(), "logged off", g.now()));
        VmImage annVm = g.vm(ann.vmId());
        assertThat(annVm.sessionId()).isNull();
        assertThat(annVm.free()).as("an owned desktop is never free for others").isFalse();
        assertThat(g.clusterImage().vms().ownedBy("office", "ann")).contains(ann.vmId());

        Reply.Reserved bob = g.login("bob", "office");
        assertThat(bob.vmId()).isNotEqualTo(ann.vmId());
        g.endSession(bob.sessionId());

        Reply cid = g.reserve("cid", "office");
        assertThat(cid).isInstanceOf(Reply.Failed.class);
        assertThat(((Reply.Failed) cid).code()).isEqualTo(ErrorCode.NO_DESKTOP);
        assertThat(g.lastRecords()).containsExactly(new DemandUnmetRecord("office", "cid", g.now()));

        for (int i = 0; i < 3; i++) {
            Reply.Reserved again = g.login("ann", "office");
            assertThat(again.vmId()).isEqualTo(ann.vmId());
            assertThat(again.reconnect()).isFalse();
            assertThat(g.lastRecords()).as("ownership is assigned once").noneMatch(r -> r instanceof VmOwnerAssignedRecord);
            g.endSession(again.sessionId());
        }
        assertThat(g.clusterImage().vms().owners("office")).containsOnlyKeys("ann", "bob");
    }

    @Test
    void aPersistentDesktopOnAMissingServerIsNotReplacedByAnother() {
        GridFixture g = pool("office", true, 2).user("ann").grant("office", "ann");
        Reply.Reserved ann = g.login("ann", "office", "s2");
        g.endSession(ann.sessionId()).missing("s1");
        g.refused(new ReserveDesktopCommand("ann", "office", null), ErrorCode.NO_DESKTOP,
                "your desktop '" + ann.vmId() + "' is on server 's1', which is missing");
        assertThat(g.clusterImage().vms().owners("office")).containsOnlyKeys("ann");
    }

    @Test
    void aNonPersistentDesktopIsDirtyAfterLogOffUntilRegenerated() {
        GridFixture g = GridFixture.grid().server("s1").image("win11", 1, 1L << 30, "s1")
                .template("kiosk", t -> t.baseImage("win11")).allocate("kiosk", "s1", 1).buildAll()
                .user("ann").user("bob").grant("kiosk", "ann").grant("kiosk", "bob");
        Reply.Reserved ann = g.login("ann", "kiosk");
        g.endSession(ann.sessionId());
        assertThat(g.lastRecords()).containsExactly(new SessionEndedRecord(ann.sessionId(), "logged off", g.now()),
                new VmDirtyRecord(ann.vmId(), g.now()));
        assertThat(g.vm(ann.vmId()).state()).isEqualTo(VmState.DIRTY);
        assertThat(g.vm(ann.vmId()).free()).isFalse();
        assertThat(g.vm(ann.vmId()).owner()).isNull();

        g.refused(new ReserveDesktopCommand("bob", "kiosk", null), ErrorCode.NO_DESKTOP, "no free desktop");
        g.refused(new ReserveDesktopCommand("ann", "kiosk", null), ErrorCode.NO_DESKTOP, "no free desktop");

        g.regenerated(ann.vmId());
        assertThat(g.vm(ann.vmId()).state()).isEqualTo(VmState.STOPPED);
        assertThat(g.vm(ann.vmId()).free()).isTrue();
        assertThat(g.login("bob", "kiosk").vmId()).isEqualTo(ann.vmId());
    }

    @Test
    void expiryLogsOffLikeEndButIsIdempotent() {
        GridFixture g = pool("kiosk", false, 1).user("ann").grant("kiosk", "ann");
        Reply.Reserved ann = g.login("ann", "kiosk");
        g.expire(ann.sessionId());
        assertThat(g.lastRecords()).containsExactly(new SessionExpiredRecord(ann.sessionId(), "idle", g.now()),
                new VmDirtyRecord(ann.vmId(), g.now()));
        g.expire(ann.sessionId());
        assertThat(g.lastRecords()).isEmpty();
        g.refused(new EndSessionCommand(ann.sessionId(), null), ErrorCode.NOT_FOUND,
                "session '" + ann.sessionId() + "' does not exist or has ended");
    }

    @Test
    void connectAndDisconnectAreIdempotent() {
        GridFixture g = pool("kiosk", false, 1).user("ann").grant("kiosk", "ann");
        String id = g.login("ann", "kiosk").sessionId();
        g.connect(id);
        assertThat(g.lastRecords()).containsExactly(new SessionConnectedRecord(id, g.now()));
        g.connect(id);
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.session(id).state()).isEqualTo(SessionState.CONNECTED);
        g.disconnect(id);
        assertThat(g.lastRecords()).hasSize(1);
        g.disconnect(id);
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.session(id).state()).isEqualTo(SessionState.DISCONNECTED);
        g.refused(new ConnectSessionCommand("s-zz-0"), ErrorCode.NOT_FOUND, "session 's-zz-0'");
        g.refused(new DisconnectSessionCommand("s-zz-0"), ErrorCode.NOT_FOUND, "session 's-zz-0'");
    }

    @Test
    void aConnectOnAConnectedSessionRecordsActivityAtMostOncePerMinute() {
        GridFixture g = pool("kiosk", false, 1).user("ann").grant("kiosk", "ann");
        String id = g.login("ann", "kiosk").sessionId();
        g.connect(id);
        long connectedAt = g.now();
        g.advance(59_999).connect(id);
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.session(id).since()).isEqualTo(connectedAt);
        g.advance(1).connect(id);
        assertThat(g.lastRecords()).containsExactly(new SessionConnectedRecord(id, g.now()));
        assertThat(g.session(id).since()).isEqualTo(connectedAt + 60_000);
        assertThat(g.session(id).state()).isEqualTo(SessionState.CONNECTED);
    }

    @Test
    void excludedServersAreSkipped() {
        GridFixture g = pool("kiosk", false, 2).user("ann").user("bob").grant("kiosk", "ann").grant("kiosk", "bob");
        assertThat(g.login("ann", "kiosk", "s1").server()).isEqualTo("s2");
        assertThat(g.login("bob", "kiosk", "s2").server()).isEqualTo("s1");
        g.user("cid").grant("kiosk", "cid");
        g.refused(new ReserveDesktopCommand("cid", "kiosk", List.of("s1", "s2")), ErrorCode.NO_DESKTOP,
                "2 servers with free VMs excluded by the broker");
        assertThat(g.lastRecords()).containsExactly(new DemandUnmetRecord("kiosk", "cid", g.now()));
    }

    @Test
    void drainingMissingAndSuspectServersTakeNoNewLogins() {
        GridFixture g = pool("kiosk", false, 2).user("ann").user("bob").user("cid")
                .grant("kiosk", "ann").grant("kiosk", "bob").grant("kiosk", "cid");
        g.drain("s1");
        assertThat(g.login("ann", "kiosk").server()).isEqualTo("s2");
        g.suspect("s2");
        g.refused(new ReserveDesktopCommand("bob", "kiosk", null), ErrorCode.NO_DESKTOP, "1 server with free VMs draining",
                "1 server with free VMs suspect");
        g.rejoin("s2").resume("s1").missing("s1");
        assertThat(g.login("bob", "kiosk").server()).isEqualTo("s2");
    }

    @Test
    void aSessionOnAMissingServerIsEndedAndANewOneReservedElsewhere() {
        GridFixture g = pool("kiosk", false, 2).user("ann").grant("kiosk", "ann");
        Reply.Reserved old = g.login("ann", "kiosk", "s2");
        assertThat(old.server()).isEqualTo("s1");
        g.connect(old.sessionId());

        g.drain("s1");
        assertThat(g.login("ann", "kiosk")).as("a draining host keeps its sessions").isEqualTo(
                new Reply.Reserved(old.sessionId(), old.vmId(), "s1", true));

        g.missing("s1");
        Reply.Reserved moved = g.login("ann", "kiosk");
        assertThat(moved.reconnect()).isFalse();
        assertThat(moved.server()).isEqualTo("s2");
        assertThat(moved.sessionId()).isNotEqualTo(old.sessionId());
        assertThat(g.lastRecords()).startsWith(new SessionEndedRecord(old.sessionId(), "host 's1' unreachable", g.now()),
                new VmDirtyRecord(old.vmId(), g.now()));
        assertThat(g.clusterImage().sessions().ofUser("ann")).extracting(SessionImage::id).containsExactly(moved.sessionId());
        assertThat(g.vm(old.vmId()).sessionId()).isNull();
        assertEveryVmHasAtMostOneSession(g.clusterImage());
    }

    @Test
    void aSessionOnAnExcludedServerIsEndedAndANewOneReservedElsewhere() {
        GridFixture g = pool("kiosk", false, 2).user("ann").grant("kiosk", "ann");
        Reply.Reserved old = g.login("ann", "kiosk", "s2");
        Reply.Reserved moved = g.login("ann", "kiosk", "s1");
        assertThat(moved.server()).isEqualTo("s2");
        assertThat(moved.reconnect()).isFalse();
        assertThat(g.clusterImage().sessions().get(old.sessionId())).isEmpty();
        assertThat(g.clusterImage().sessions().size()).isEqualTo(1);
    }

    @Test
    void entitlementComesThroughAGroupAndIsRequired() {
        GridFixture g = pool("kiosk", false, 2).user("ann").user("bob").group("fin", "ann").grantGroup("kiosk", "fin");
        assertThat(g.login("ann", "kiosk").server()).isNotNull();
        g.refused(new ReserveDesktopCommand("bob", "kiosk", null), ErrorCode.NOT_ENTITLED,
                "user 'bob' may not use template 'kiosk'", "an admin can grant it");
        assertThat(g.lastRecords()).as("an unentitled login is not demand").isEmpty();

        g.members("fin", "ann", "bob");
        assertThat(g.login("bob", "kiosk").server()).isNotNull();

        g.refused(new ReserveDesktopCommand("zed", "kiosk", null), ErrorCode.NOT_FOUND, "user 'zed' does not exist");
        g.refused(new ReserveDesktopCommand("ann", "nope", null), ErrorCode.NOT_FOUND, "template 'nope' does not exist");
    }

    @Test
    void aUserHoldsOneSessionPerTemplate() {
        GridFixture g = pool("kiosk", false, 2).template("lab", t -> t.baseImage("win11")).allocate("lab", "s1", 1)
                .buildAll().user("ann").grant("kiosk", "ann").grant("lab", "ann");
        Reply.Reserved kiosk = g.login("ann", "kiosk");
        Reply.Reserved lab = g.login("ann", "lab");
        assertThat(lab.sessionId()).isNotEqualTo(kiosk.sessionId());
        assertThat(g.clusterImage().sessions().ofUser("ann")).hasSize(2);
        assertThat(g.clusterImage().sessions().onTemplate("kiosk")).isEqualTo(1);
        assertThat(g.clusterImage().sessions().onTemplate("lab")).isEqualTo(1);
    }
}
