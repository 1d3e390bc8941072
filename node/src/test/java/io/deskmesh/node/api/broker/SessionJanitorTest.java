package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.ExpireSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Which sessions the janitor expires, when, with what reason, and that only the leader acts. */
class SessionJanitorTest {
    private static final long GRACE = 120_000;

    /** Template {@code kiosk}: idle timeout 60 s, disconnect timeout 30 s; {@code forever}: no timeouts. */
    private static GridFixture grid() {
        return GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
                .template("kiosk", t -> t.nonPersistent().baseImage("win11").idleTimeoutSeconds(60).disconnectTimeoutSeconds(30))
                .template("forever", t -> t.nonPersistent().baseImage("win11"))
                .allocate("kiosk", "s1", 2).allocate("kiosk", "s2", 2)
                .allocate("forever", "s1", 1).allocate("forever", "s2", 1).buildAll()
                .user("ann").user("bob").user("cid")
                .grant("kiosk", "ann").grant("kiosk", "bob").grant("kiosk", "cid").grant("forever", "ann");
    }

    @Test
    void aDisconnectedSessionExpiresAtItsTemplatesDisconnectTimeout() {
        GridFixture g = grid();
        String id = g.login("ann", "kiosk").sessionId();
        String vm = g.session(id).vmId();
        g.connect(id).disconnect(id);
        long at = g.session(id).since();

        assertThat(SessionJanitor.due(g.clusterImage(), at + 29_999, GRACE)).isEmpty();
        List<ExpireSessionCommand> due = SessionJanitor.due(g.clusterImage(), at + 31_000, GRACE);
        assertThat(due).containsExactly(new ExpireSessionCommand(id, "disconnected for 31 s (timeout 30 s)"));

        g.advance(31_000).run(due.get(0));
        assertThat(g.clusterImage().sessions().get(id)).isEmpty();
        assertThat(g.vm(vm).state()).isEqualTo(VmState.DIRTY);
    }

    @Test
    void aConnectedSessionExpiresWhenIdleAndActivityPostponesIt() {
        GridFixture g = grid();
        String id = g.login("ann", "kiosk").sessionId();
        g.connect(id);
        long at = g.session(id).since();
        assertThat(SessionJanitor.due(g.clusterImage(), at + 59_000, GRACE)).isEmpty();
        assertThat(SessionJanitor.due(g.clusterImage(), at + 60_000, GRACE))
                .containsExactly(new ExpireSessionCommand(id, "idle for 60 s (timeout 60 s)"));

        g.advance(60_000).connect(id);   // a connect a minute later counts as activity
        assertThat(SessionJanitor.due(g.clusterImage(), at + 60_000, GRACE)).isEmpty();
        assertThat(SessionJanitor.due(g.clusterImage(), at + 119_000, GRACE)).isEmpty();
        assertThat(SessionJanitor.due(g.clusterImage(), at + 120_000, GRACE)).hasSize(1);
    }

    @Test
    void zeroTimeoutsNeverExpireButAReservationThatNeverConnectedDoes() {
        GridFixture g = grid();
        String forever = g.login("ann", "forever").sessionId();
        g.connect(forever);
        String reserved = g.login("bob", "kiosk").sessionId();
        long at = g.session(reserved).since();

        assertThat(SessionJanitor.due(g.clusterImage(), at + GRACE - 1, GRACE)).isEmpty();
        assertThat(SessionJanitor.due(g.clusterImage(), at + 10 * GRACE, GRACE))
                .containsExactly(new ExpireSessionCommand(reserved, "reserved 1200 s ago and never connected"));
    }

    @Test
    void sessionsOnAMissingServerAreLeftAlone() {
        GridFixture g = grid();
        String id = g.login("ann", "kiosk").sessionId();
        g.connect(id).disconnect(id);
        String host = g.session(id).server();
        g.missing(host);
        assertThat(SessionJanitor.due(g.clusterImage(), g.now() + 3_600_000, GRACE)).isEmpty();
        g.rejoin(host);
        assertThat(SessionJanitor.due(g.clusterImage(), g.now() + 3_600_000, GRACE)).hasSize(1);
    }

    @Test
    void onlyTheLeaderExpiresAndOneBatchAtATime() {
        GridFixture g = grid();
        String id = g.login("ann", "kiosk").sessionId();
        g.connect(id).disconnect(id);
        List<List<MeshCommand>> sent = new ArrayList<>();
        AtomicBoolean leader = new AtomicBoolean(false);
        CompletableFuture<List<Reply>> pending = new CompletableFuture<>();
        SessionJanitor janitor = new SessionJanitor(g::clusterImage, commands -> {
            sent.add(commands);
            return pending;
        }, leader::get, () -> g.now() + 3_600_000, BrokerSettings.DEFAULTS);

        janitor.tick();
        assertThat(sent).isEmpty();
        leader.set(true);
        janitor.tick();
        janitor.tick();   // the first batch is still pending: nothing more is sent
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).singleElement().isEqualTo(new ExpireSessionCommand(id, "disconnected for 3600 s (timeout 30 s)"));
        pending.complete(List.of(Reply.DONE));
        janitor.tick();
        assertThat(sent).hasSize(2);
        janitor.close();
    }
}
