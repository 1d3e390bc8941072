package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.command.SuspectServerCommand;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Principal;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The connect algorithm against an in-memory log and scripted hosts: reservation at apply time,
 * preparing with a deadline, suspecting and skipping hosts that fail, releasing what failed, and the
 * API errors for each refusal.
 */
class DesktopBrokerTest {
    private static final BrokerSettings SETTINGS = BrokerSettings.DEFAULTS.withPrepareDeadline(Duration.ofMillis(200));

    /** Servers s1 and s2 with two running VMs each of the non-persistent template {@code kiosk}. */
    private static FakeGrid grid() {
        return new FakeGrid(GridFixture.grid().server("s1").server("s2")
                .image("win11", 1, 1L << 30, "s1").replica("win11", 1, "s2")
                .template("kiosk", t -> t.nonPersistent().baseImage("win11"))
                .allocate("kiosk", "s1", 2).allocate("kiosk", "s2", 2).buildAll()
                .user("ann").user("bob").admin("root").user("eve")
                .grant("kiosk", "ann").grant("kiosk", "bob").grant("kiosk", "root"));
    }

    /**
     * Hosts whose answer per (server, VM) the test scripts; records every call. A host that prepared a
     * fresh reservation records the session connected in the log, as {@link HostReservations} does.
     */
    private static final class Hosts implements ApiContext.VmPreparer {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        BiFunction<String, String, CompletableFuture<Void>> answer = (s, vm) -> CompletableFuture.completedFuture(null);
        FakeGrid grid;

        @Override
        public CompletableFuture<Void> prepare(String server, String vmId, long deadlineMs) {
            calls.add(server + "/" + vmId);
            return answer.apply(server, vmId);
        }

        @Override
        public CompletableFuture<Void> awaitConnected(String sessionId, String server, String vmId, long deadlineMs) {
            return prepare(server, vmId, deadlineMs).thenCompose(ready ->
                    grid.submit(List.of(new ConnectSessionCommand(sessionId)))).thenApply(replies -> null);
        }
    }

    private static DesktopBroker broker(FakeGrid grid, Hosts hosts) {
        hosts.grid = grid;
        return new DesktopBroker(grid.context("front", hosts), SETTINGS, Runnable::run);
    }

    private static CompletableFuture<Void> fail(String code, boolean hostAtFault) {
        return CompletableFuture.failedFuture(new PrepareException(code, hostAtFault, code + " from the test"));
    }

    /** The log entries that reserve, in order. */
    private static List<List<MeshCommand>> reserving(FakeGrid grid) {
        return grid.entries().stream().filter(e -> e.stream().anyMatch(c -> c instanceof ReserveDesktopCommand)).toList();
    }

    private static Principal user(String name) {
        return new Principal(name, Role.USER, "t", Long.MAX_VALUE, "127.0.0.1");
    }

    @Test
    void aConnectReservesPreparesAndConnectsAndTheSameCallReconnects() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        DesktopBroker broker = broker(grid, hosts);

        DesktopBroker.Connected first = broker.connect("ann", "kiosk");

        assertThat(first.reconnect()).isFalse();
        assertThat(hosts.calls).containsExactly(first.server() + "/" + first.vmId());
        SessionImage s = grid.image().sessions().get(first.sessionId()).orElseThrow();
        assertThat(s.state()).isEqualTo(SessionState.CONNECTED);
        assertThat(s.vmId()).isEqualTo(first.vmId());
        assertThat(grid.entries()).containsExactly(List.of(new ReserveDesktopCommand("ann", "kiosk", List.of())),
                List.of(new ConnectSessionCommand(first.sessionId())));

        DesktopBroker.Connected again = broker.connect("ann", "kiosk");
        assertThat(again).isEqualTo(new DesktopBroker.Connected(first.sessionId(), first.vmId(), first.server(), "kiosk", true));
        assertThat(grid.image().sessions().size()).isEqualTo(1);
    }

    @Test
    void aHostThatDoesNotPrepareIsSuspectedItsReservationEndedAndTheNextServerTried() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        // s1 and s2 score alike, so the router tries s1 first (names break ties).
        hosts.answer = (server, vm) -> server.equals("s1") ? fail(PrepareException.TIMEOUT, true)
                : CompletableFuture.completedFuture(null);

        DesktopBroker.Connected c = broker(grid, hosts).connect("ann", "kiosk");

        assertThat(c.server()).isEqualTo("s2");
        assertThat(hosts.calls).hasSize(2).first().asString().startsWith("s1/");
        assertThat(grid.image().servers().get("s1").orElseThrow().suspect()).isTrue();
        assertThat(grid.image().sessions().ofUser("ann")).extracting(SessionImage::id).containsExactly(c.sessionId());
        List<MeshCommand> retry = reserving(grid).get(1);
        assertThat(retry).hasSize(3);
        assertThat(retry.get(0)).isEqualTo(new SuspectServerCommand("s1", "front", "TIMEOUT from the test"));
        assertThat(retry.get(1)).isInstanceOf(EndSessionCommand.class);
        assertThat(retry.get(2)).isEqualTo(new ReserveDesktopCommand("ann", "kiosk", List.of("s1")));
    }

    @Test
    void aVmThatFailsIsSkippedWithoutSuspectingItsServer() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        hosts.answer = (server, vm) -> hosts.calls.size() == 1 ? fail(PrepareException.VM_FAILED, false)
                : CompletableFuture.completedFuture(null);

        DesktopBroker.Connected c = broker(grid, hosts).connect("ann", "kiosk");

        assertThat(hosts.calls).hasSize(2);
        assertThat(grid.image().servers().all()).noneMatch(s -> s.suspect());
        assertThat(reserving(grid).get(1).get(1)).isEqualTo(new ReserveDesktopCommand("ann", "kiosk", List.of()));
        assertThat(grid.image().sessions().ofUser("ann")).extracting(SessionImage::id).containsExactly(c.sessionId());
    }

    @Test
    void whenEveryHostFailsTheCallerGetsTheRoutersReasonAndNoReservationRemains() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        hosts.answer = (server, vm) -> fail(PrepareException.HOST_UNAVAILABLE, true);

        ApiException e = catchThrowableOfType(ApiException.class, () -> broker(grid, hosts).connect("ann", "kiosk"));

        // s1 and s2 fail in turn, then nothing is left to try.
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("NO_DESKTOP");
        assertThat(e.getMessage()).contains("2 servers with free VMs suspect", "servers skipped because they failed");
        assertThat(grid.image().sessions().size()).isZero();
    }

    @Test
    void afterMaxAttemptsTheLastReservationIsReleased() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        hosts.answer = (server, vm) -> fail(PrepareException.VM_FAILED, false);

        ApiException e = catchThrowableOfType(ApiException.class, () -> broker(grid, hosts).connect("ann", "kiosk"));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("HOST_UNAVAILABLE");
        assertThat(e.getMessage()).contains("no server got a desktop of template 'kiosk' ready in time");
        assertThat(hosts.calls).hasSize(SETTINGS.maxAttempts());
        assertThat(grid.image().sessions().size()).isZero();
    }

    @Test
    void refusalsBecomeApiErrorsWithTheirReasons() {
        FakeGrid grid = grid();
        Hosts hosts = new Hosts();
        DesktopBroker broker = broker(grid, hosts);

        ApiException forbidden = catchThrowableOfType(ApiException.class, () -> broker.connect("eve", "kiosk"));
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.code()).isEqualTo("NOT_ENTITLED");
        ApiException unknown = catchThrowableOfType(ApiException.class, () -> broker.connect("ann", "nope"));
        assertThat(unknown.status()).isEqualTo(404);

        for (String u : List.of("ann", "bob", "root")) {
            broker.connect(u, "kiosk");
        }
        grid.submit(List.of(new CreateUserCommand("cid", "hash", Role.USER, ""), new CreateGrantCommand("kiosk", "cid", null),
                new CreateUserCommand("dan", "hash", Role.USER, ""), new CreateGrantCommand("kiosk", "dan", null)));
        broker.connect("cid", "kiosk");
        ApiException full = catchThrowableOfType(ApiException.class, () -> broker.connect("dan", "kiosk"));
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.code()).isEqualTo("NO_DESKTOP");
        assertThat(full.getMessage()).startsWith("no free desktop of template 'kiosk': 4 of 4 VMs in use");
        assertThat(grid.image().sessions().demand("kiosk").unmetLogins()).isEqualTo(1);
        assertThat(hosts.calls).hasSize(4);
    }

    @Test
    void withoutAMajorityNothingIsReservedAndTheCallerIsToldWhy() {
        FakeGrid grid = grid().noMajority(true);

        ApiException e = catchThrowableOfType(ApiException.class, () -> broker(grid, new Hosts()).connect("ann", "kiosk"));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("NO_MAJORITY");
        assertThat(e.getMessage()).isEqualTo("the grid has no majority right now; your desktop cannot be reserved"
                + " — try again shortly");
        assertThat(grid.image().sessions().size()).isZero();
    }

    @Test
    void usersActOnlyOnTheirOwnSessionsAndOthersLookAbsent() {
        FakeGrid grid = grid();
        DesktopBroker broker = broker(grid, new Hosts());
        String ann = broker.connect("ann", "kiosk").sessionId();

        ApiException hidden = catchThrowableOfType(ApiException.class, () -> broker.logOff(user("bob"), ann));
        ApiException absent = catchThrowableOfType(ApiException.class, () -> broker.logOff(user("bob"), "s-nope-0"));
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.getMessage()).isEqualTo(absent.getMessage().replace("s-nope-0", ann));
        assertThat(catchThrowableOfType(ApiException.class, () -> broker.disconnect(user("bob"), ann)).status()).isEqualTo(404);
        assertThat(grid.image().sessions().get(ann)).isPresent();

        assertThat(broker.disconnect(user("ann"), ann).state()).isEqualTo(SessionState.DISCONNECTED);
        broker.logOff(new Principal("root", Role.ADMIN, "t", Long.MAX_VALUE, ""), ann);
        assertThat(grid.image().sessions().get(ann)).isEmpty();
    }
}
