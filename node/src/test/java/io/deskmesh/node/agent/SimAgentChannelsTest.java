package io.deskmesh.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sim's in-process agents speak the protocol as the reference agent does. */
class SimAgentChannelsTest {
    private final SimDriver sim = new SimDriver(SimConfig.builder().build());
    private final SimAgentChannels channels = new SimAgentChannels(sim, Duration.ofMillis(20));

    private String vm(String id) {
        sim.define(new VmSpec(id, id, 1, 512, Path.of("/base.qcow2"), null, MacAllocator.DESKMESH.allocate(id, Set.of()),
                "default", ConsoleProtocol.VNC));
        return id;
    }

    @Test
    void aPoweredOnVmsAgentSaysReadyThenHeartbeatsAndEchoesUserEvents() throws Exception {
        String id = vm("vm-1");
        assertThat(channels.open(id)).as("no agent while off").isEmpty();
        sim.start(id);
        try (AgentConnection agent = channels.open(id).orElseThrow()) {
            assertThat(AgentEvent.parse(agent.readLine())).map(AgentEvent::kind).contains(AgentEvent.Kind.READY);
            assertThat(AgentEvent.parse(agent.readLine())).map(AgentEvent::kind).contains(AgentEvent.Kind.HEARTBEAT);
            agent.send(AgentEvent.report(AgentEvent.Kind.LOGIN, "ann"));
            String next = agent.readLine();
            while (next.startsWith("heartbeat")) {
                next = agent.readLine();
            }
            assertThat(AgentEvent.parse(next)).contains(new AgentEvent(AgentEvent.Kind.LOGIN, "ann"));
        }
    }

    @Test
    void aStoppedAgentFallsSilentAndAPoweredOffVmClosesItsChannel() throws Exception {
        String id = vm("vm-2");
        sim.start(id);
        AgentConnection agent = channels.open(id).orElseThrow();
        agent.readLine();
        agent.send(AgentEvent.STOP);
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(100);  // five heartbeat intervals: a live agent would have spoken by now
        sim.destroy(id);
        assertThat(next.get(10, TimeUnit.SECONDS)).as("no heartbeat after stop; end of channel once off").isNull();
    }
}
