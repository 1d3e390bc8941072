package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host's half of a connect and the front door's wait for it, on a one-process log: a host answers
 * each reservation of its own VMs once, in the log; the front door learns the answer from the image.
 */
class HostReservationsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration STALE = Duration.ofMinutes(2);

    private static FakeGrid grid() {
        return new FakeGrid(GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
                .template("kiosk", t -> t.nonPersistent().baseImage("win11"))
                .allocate("kiosk", "s1", 2).allocate("kiosk", "s2", 2).buildAll()
                .user("ann").user("bob").grant("kiosk", "ann").grant("kiosk", "bob"));
    }

    /** A scripted host: records the VMs it was asked to prepare; answers with {@code answer}. */
    private static final class Host {
        final List<String> asked = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Object> answer = CompletableFuture.completedFuture(null);

        CompletableFuture<?> prepare(String vmId, long deadlineMs) {
            asked.add(vmId);
            return answer;
        }
    }

    private static Reply.Reserved reserve(FakeGrid grid, String user, List<String> excluded) {
        return (Reply.Reserved) grid.submit(List.<MeshCommand>of(new ReserveDesktopCommand(user, "kiosk", excluded)))
                .join().get(0);
    }

    private static PrepareException failure(CompletableFuture<Void> f) {
        Throwable t = f.handle((v, e) -> e).join();
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        assertThat(t).isInstanceOf(PrepareException.class);
        return (PrepareException) t;
    }

    @Test
    void aHostPreparesEachOfItsReservationsOnceAndRecordsTheSessionConnected() {
        FakeGrid grid = grid();
        Host host = new Host();
        HostReservations s1 = new HostReservations("s1", host::prepare, grid::submit, grid::now, DEADLINE, STALE);
        Reply.Reserved r = reserve(grid, "ann", List.of("s2"));
        assertThat(r.server()).isEqualTo("s1");
        HostConfirmations front = new HostConfirmations(grid::image);
        CompletableFuture<Void> connected = front.awaitConnected(r.sessionId(), r.server(), r.vmId(), 5_000);

        s1.accept(grid.image());
        s1.accept(grid.image());

        assertThat(host.asked).containsExactly(r.vmId());
        SessionImage s = grid.image().sessions().get(r.sessionId()).orElseThrow();
        assertThat(s.state()).isEqualTo(SessionState.CONNECTED);
        assertThat(connected).isNotDone();
        front.accept(grid.image());
        assertThat(connected).isCompleted();
        assertThat(front.waiting()).isZero();
        assertThat(s1.handling()).as("forgotten once the log shows the answer").isZero();
    }

    @Test
    void aHostLeavesOtherServersReservationsAndOldOnesAlone() {
        FakeGrid grid = grid();
        Host host = new Host();
        reserve(grid, "ann", List.of("s1"));
        new HostReservations("s1", host::prepare, grid::submit, grid::now, DEADLINE, STALE).accept(grid.image());
        assertThat(host.asked).as("s1 hosts none of the reservations").isEmpty();

        Reply.Reserved old = reserve(grid, "bob", List.of("s2"));
        new HostReservations("s1", host::prepare, grid::submit, () -> grid.now() + STALE.toMillis() + 1, DEADLINE, STALE)
                .accept(grid.image());
        assertThat(host.asked).as("a reservation older than the grace is the janitor's").isEmpty();
        assertThat(grid.image().sessions().get(old.sessionId()).orElseThrow().state()).isEqualTo(SessionState.RESERVED);
    }

    @Test
    void aVmTheHostCannotPrepareEndsItsSessionAndTheFrontDoorHearsWhy() {
        FakeGrid grid = grid();
        Host host = new Host();
        host.answer = CompletableFuture.failedFuture(new PrepareException(PrepareException.VM_FAILED, false,
                "VM would not start"));
        Reply.Reserved r = reserve(grid, "ann", List.of("s2"));
        HostConfirmations front = new HostConfirmations(grid::image);
        CompletableFuture<Void> connected = front.awaitConnected(r.sessionId(), r.server(), r.vmId(), 5_000);

        new HostReservations("s1", host::prepare, grid::submit, grid::now, DEADLINE, STALE).accept(grid.image());

        assertThat(grid.image().sessions().get(r.sessionId())).isEmpty();
        List<MeshCommand> answer = grid.entries().get(grid.entries().size() - 1);
        assertThat(answer).singleElement().isInstanceOfSatisfying(EndSessionCommand.class, e ->
                assertThat(e.reason()).contains("VM would not start"));
        front.accept(grid.image());
        assertThat(connected).isCompletedExceptionally();
        PrepareException e = failure(connected);
        assertThat(e.code()).isEqualTo(PrepareException.VM_FAILED);
        assertThat(e.hostAtFault()).isFalse();
    }

    @Test
    void aHostThatDoesNotAnswerIsBlamedWhenTheDeadlinePasses() {
        FakeGrid grid = grid();
        Reply.Reserved r = reserve(grid, "ann", List.of("s2"));
        HostConfirmations front = new HostConfirmations(grid::image);

        CompletableFuture<Void> connected = front.awaitConnected(r.sessionId(), r.server(), r.vmId(), 50);

        PrepareException e = failure(connected);
        assertThat(e.code()).isEqualTo(PrepareException.TIMEOUT);
        assertThat(e.hostAtFault()).isTrue();
        assertThat(e.getMessage()).isEqualTo("server 's1' did not get VM '" + r.vmId() + "' ready within 50 ms");
    }

    @Test
    void anImageOlderThanTheReservationIsNoProofTheSessionEnded() {
        FakeGrid grid = grid();
        var before = grid.image();
        Reply.Reserved r = reserve(grid, "ann", List.of("s2"));
        HostConfirmations front = new HostConfirmations(grid::image);
        CompletableFuture<Void> connected = front.awaitConnected(r.sessionId(), r.server(), r.vmId(), 5_000);

        front.accept(before);

        assertThat(connected).isNotDone();
        assertThat(front.waiting()).isEqualTo(1);
    }
}
