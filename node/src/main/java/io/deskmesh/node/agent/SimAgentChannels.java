package io.deskmesh.node.agent;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmStatus;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * In-process desktop agents for the sim driver's VMs: each powered-on VM's channel speaks the
 * agent protocol as the reference agent does — {@code ready}, then a {@code heartbeat} every
 * interval — and honours {@code stop} by falling silent while its channel stays open, as a dead
 * agent in a live guest does. Thread-safe.
 */
public final class SimAgentChannels implements AgentChannels {
    private final HypervisorDriver sim;
    private final Duration interval;

    public SimAgentChannels(HypervisorDriver sim, Duration interval) {
        this.sim = sim;
        this.interval = interval;
    }

    @Override
    public Optional<AgentConnection> open(String vmId) {
        return poweredOn(vmId) ? Optional.of(new SimAgent(vmId)) : Optional.empty();
    }

    private boolean poweredOn(String vmId) {
        try {
            return sim.status(vmId).map(VmStatus::state).map(VmPowerState::poweredOn).orElse(false);
        } catch (RuntimeException e) {
            return false;  // a dead or hung sim host: no agent answers
        }
    }

    /** One VM's in-process agent. */
    private final class SimAgent implements AgentConnection {
        private final String vmId;
        private final Deque<String> pending = new ArrayDeque<>();
        private long seq;
        private boolean stopped;
        private boolean closed;

        SimAgent(String vmId) {
            this.vmId = vmId;
            pending.add("ready 1 sim-" + vmId);
        }

        @Override
        public synchronized String readLine() throws IOException {
            while (true) {
                if (closed) {
                    return null;
                }
                if (!pending.isEmpty()) {
                    return pending.poll();
                }
                try {
                    wait(interval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading the agent of VM '" + vmId + "'", e);
                }
                if (!poweredOn(vmId)) {
                    return null;  // the VM went off: its channel closes
                }
                if (!stopped && pending.isEmpty()) {
                    pending.add("heartbeat " + (++seq));
                }
            }
        }

        @Override
        public synchronized void send(String line) {
            if (AgentEvent.STOP.equals(line)) {
                stopped = true;
            } else if (line.startsWith("report login ") || line.startsWith("report logout ")) {
                pending.add(line.substring("report ".length()));  // as the reference agent answers
                notifyAll();
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            notifyAll();
        }
    }
}
