package io.deskmesh.node.agent;

import java.io.IOException;
import java.util.Optional;

/** Opens the agent channel of one of this host's VMs; thread-safe. */
public interface AgentChannels {
    /** A connection to the VM's agent channel, or empty when the VM has none open now (off, absent, booting). */
    Optional<AgentConnection> open(String vmId) throws IOException;
}
