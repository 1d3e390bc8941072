package io.deskmesh.testkit;

import io.deskmesh.model.command.RemoveImageVersionCommand;
import io.deskmesh.model.command.ReportCapacityCommand;
import io.deskmesh.model.command.RevokeGrantCommand;
import io.deskmesh.model.command.UpdateUserCommand;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.VmState;

import java.util.List;

/** Ready-made grids for tests, built with {@link GridFixture}. Stateless. */
public final class Grids {
    private static final long GIB = 1L << 30;

    private Grids() {
    }

    /**
     * A grid with a bit of everything, for snapshot and replay tests: servers active, drained, resumed,
     * missing, suspect, drained-and-missing and with a reported capacity change; base images with
     * landed and in-flight replicas, failed transfers and a removed version; templates persistent,
     * non-persistent, auto-sized, updated, waiting for an image, and deleted (its VMs retiring);
     * users (one updated), groups (one empty), user and group grants (one revoked); VMs in every
     * {@link VmState}, persistent ones owned with and without a session; sessions reserved, connected
     * and disconnected, one on the missing server; and recorded pool demand with an unmet login.
     * The clock ticks one second per entry.
     */
    public static GridFixture rich() {
        GridFixture g = GridFixture.grid().ticking(1_000)
                .server("s1", "site-a", 32, 262_144, 2_000_000)
                .server("s2", "site-a", 32, 262_144, 2_000_000)
                .server("s3", "site-b", 16, 131_072, 1_000_000)
                .server("s4", "site-b", 16, 131_072, 1_000_000)
                .server("s5", "site-c", 16, 131_072, 1_000_000)
                .server("s6", "site-c", 8, 65_536, 500_000)
                .server("s7", "site-c", 8, 65_536, 500_000)
                .server("s8", "site-c", 8, 65_536, 500_000)
                .run(new ReportCapacityCommand("s3", new Capacity(24, 196_608, 1_000_000)))
                .image("win11", 1, 10 * GIB, "s1")
                .image("win11", 2, 12 * GIB, "s1", 1)
                .image("ubuntu", 1, 4 * GIB, "s2")
                .image("ubuntu", 2, 4 * GIB, "s2", 1)
                .run(new RemoveImageVersionCommand("ubuntu", 2))
                .replica("win11", 2, "s2")
                .replica("win11", 2, "s5")
                .replica("win11", 1, "s3")
                .replica("ubuntu", 1, "s3")
                .transfer("win11", 2, "s6")
                .transfer("win11", 2, "s3").transferFailed("win11", 2, "s3", "checksum mismatch")
                .transfer("ubuntu", 1, "s7").transferFailed("ubuntu", 1, "s7", "disk full").transfer("ubuntu", 1, "s7")
                .template("office", t -> t.baseImage("win11").persistent().desired(8))
                .template("kiosk", t -> t.baseImage("ubuntu", 1).desired(6).spare(1))
                .template("lab", t -> t.baseImage("win11", 1).desiredAuto())
                .template("future", t -> t.baseImage("rhel"))
                .template("old", t -> t.baseImage("ubuntu", 1).desired(2))
                .advance(60_000)
                .updateTemplate("kiosk", t -> t.idleTimeoutSeconds(900).disconnectTimeoutSeconds(300))
                .admin("root").user("ann").user("bob").user("cid").user("dan").user("eve")
                .run(new UpdateUserCommand("eve", null, null, "site-c"))
                .group("finance", "ann", "bob").group("ops", "dan").group("nobody")
                .members("ops", "dan", "eve")
                .grantGroup("office", "finance").grant("office", "cid").grant("office", "eve")
                .grant("kiosk", "ann").grant("kiosk", "dan").grantGroup("lab", "ops")
                .grant("kiosk", "eve");
        g.run(new RevokeGrantCommand(g.lastCreatedId()))
                .allocate("office", "s1", 3).allocate("office", "s5", 2)
                .allocate("kiosk", "s2", 4)
                .allocate("old", "s3", 2)
                .buildAll()
                .allocate("kiosk", "s3", 2);
        g.createAll();
        g.allocate("lab", "s3", 2)
                .deleteTemplate("old")
                .advance(60_000);

        String annOffice = g.login("ann", "office").sessionId();
        g.endSession(annOffice);
        g.connect(g.login("bob", "office").sessionId());
        g.login("cid", "office");
        g.login("eve", "office", "s1", "s2");
        String danKiosk = g.login("dan", "kiosk").sessionId();
        g.connect(danKiosk).advance(30_000).disconnect(danKiosk);
        g.endSession(g.login("ann", "kiosk").sessionId());
        g.reserve("dan", "lab");

        List<String> freeKiosk = List.copyOf(g.clusterImage().vms().freeOn("kiosk", "s2"));
        g.unhealthy(freeKiosk.get(0), "agent silent").stopped(freeKiosk.get(1));

        return g.advance(120_000)
                .drain("s4")
                .missing("s5")
                .suspect("s6")
                .drain("s7").resume("s7")
                .drain("s8").missing("s8");
    }
}
