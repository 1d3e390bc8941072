package io.deskmesh.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent monitor against a one-process grid image, scripted agent channels and a manual clock:
 * readiness, silence judged on the clock (never on real time), login and logout.
 */
class AgentMonitorTest {
    private static final Duration SILENT_AFTER = Duration.ofSeconds(10);
    private static final String EOF = "\u0000eof";

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Map<String, Scripted> channels = new ConcurrentHashMap<>();
    private final List<MeshCommand> submitted = new ArrayList<>();
    private ClusterImage image;
    private List<String> vms;
    private AgentMonitor monitor;

    @BeforeEach
    void grid() {
        GridFixture grid = GridFixture.grid().server("s1").server("s2")
                .image("tiny", 1, 1L << 20, "s1")
                .template("kiosk", t -> t.nonPersistent().baseImage("tiny"))
                .allocate("kiosk", "s1", 2).buildAll()
                .user("ann").grant("kiosk", "ann");
        vms = grid.vmIds("kiosk");
        grid.login("ann", "kiosk");
        image = grid.clusterImage();
        monitor = new AgentMonitor("s1", vmId -> Optional.ofNullable(channels.get(vmId)).map(Scripted::open), () -> image, this::submit,
                clock::get, SILENT_AFTER);
    }

    @AfterEach
    void close() {
        monitor.close();
    }

    private synchronized CompletableFuture<Reply> submit(MeshCommand command) {
        submitted.add(command);
        CommandProcessor.BatchResult r = CommandProcessor.apply(image, image.index() + 1, clock.get(), List.of(command));
        image = r.image();
        return CompletableFuture.completedFuture(r.replies().get(0));
    }

    @Test
    void aVmIsReadyOnceItsAgentSpeaksAndUnhealthyAfterItFallsSilent() throws Exception {
        String vm = vms.get(0);
        Scripted agent = channel(vm);
        monitor.tick();
        agent.say("ready 1 guest");
        awaitReady(vm);

        clock.addAndGet(SILENT_AFTER.toMillis() - 1);
        monitor.tick();
        assertThat(image.vms().get(vm).orElseThrow().state()).isEqualTo(VmState.RUNNING);

        clock.addAndGet(1);
        monitor.tick();
        assertThat(image.vms().get(vm).orElseThrow().state()).isEqualTo(VmState.UNHEALTHY);
        assertThat(image.vms().get(vm).orElseThrow().reason()).contains("desktop agent has been silent for 10 s");
        monitor.tick();
        assertThat(submitted).as("reported once").hasSize(1);
    }

    @Test
    void aVmWhoseAgentNeverSpokeIsLeftAlone() {
        channel(vms.get(0));
        monitor.tick();
        clock.addAndGet(SILENT_AFTER.toMillis() * 10);
        monitor.tick();
        assertThat(monitor.ready(vms.get(0))).isFalse();
        assertThat(submitted).isEmpty();
    }

    @Test
    void heartbeatsKeepAVmHealthy() throws Exception {
        String vm = vms.get(1);
        Scripted agent = channel(vm);
        monitor.tick();
        for (int i = 1; i <= 5; i++) {
            clock.addAndGet(SILENT_AFTER.toMillis() / 2);
            agent.say("heartbeat " + i);
            agent.awaitRead();
            monitor.tick();
        }
        assertThat(submitted).isEmpty();
        assertThat(monitor.readyVms()).containsExactly(vm);
    }

    @Test
    void loginConnectsTheSessionOfThatUserAndLogoutEndsIt() throws Exception {
        String vm = image.vms().all().stream().filter(v -> v.sessionId() != null).findFirst().orElseThrow().vmId();
        String session = image.vms().get(vm).orElseThrow().sessionId();
        Scripted agent = channel(vm);
        monitor.tick();

        agent.say("login mallory");
        agent.say("login ann");
        agent.awaitRead();
        assertThat(image.sessions().get(session).orElseThrow().state()).isEqualTo(SessionState.CONNECTED);
        assertThat(submitted).as("mallory holds no session there").hasSize(1);

        agent.say("logout ann");
        agent.awaitRead();
        assertThat(image.sessions().get(session)).as("ended").isEmpty();
        assertThat(image.vms().get(vm).orElseThrow().state()).as("to be regenerated").isEqualTo(VmState.DIRTY);
    }

    @Test
    void aClosedChannelIsOpenedAgainAndAVmThatStoppedRunningIsForgotten() throws Exception {
        String vm = vms.get(0);
        Scripted agent = channel(vm);
        monitor.tick();
        agent.say("ready 1 guest");
        agent.say(EOF);
        awaitReady(vm);
        for (int i = 0; i < 500 && monitorHoldsAConnection(vm); i++) {
            Thread.sleep(5);
        }
        assertThat(agent.opened).isEqualTo(1);
        clock.addAndGet(2_000);
        monitor.tick();
        assertThat(agent.opened).isEqualTo(2);

        submit(new io.deskmesh.model.command.ReportVmStoppedCommand(vm));
        monitor.tick();
        assertThat(monitor.ready(vm)).isFalse();
    }

    private boolean monitorHoldsAConnection(String vm) throws IOException {
        return monitor.send(vm, "probe");
    }

    private Scripted channel(String vmId) {
        Scripted s = new Scripted();
        channels.put(vmId, s);
        return s;
    }

    private void awaitReady(String vm) throws InterruptedException {
        for (int i = 0; i < 500 && !monitor.ready(vm); i++) {
            Thread.sleep(10);
        }
        assertThat(monitor.ready(vm)).as("agent of %s ready", vm).isTrue();
    }

    /** An agent channel whose lines the test writes; counts how often it was opened and read. */
    private static final class Scripted implements AgentConnection {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final AtomicInteger said = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        volatile int opened;

        Scripted open() {
            opened++;
            return this;
        }

        void say(String line) {
            said.incrementAndGet();
            lines.add(line);
        }

        /**
         * Waits until the reader has handled every line said so far: it handled line k once it
         * asks for line k + 1 (the monitor's gateway here applies commands before returning).
         */
        void awaitRead() throws InterruptedException {
            for (int i = 0; i < 1000 && reads.get() <= said.get(); i++) {
                Thread.sleep(5);
            }
            assertThat(reads.get()).as("the monitor read every line").isGreaterThan(said.get());
        }

        @Override
        public String readLine() throws IOException {
            reads.incrementAndGet();
            try {
                String line = lines.poll(30, TimeUnit.SECONDS);
                return line == null || EOF.equals(line) ? null : line;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        public void send(String line) {
        }

        @Override
        public void close() {
            lines.add(EOF);
        }
    }
}
