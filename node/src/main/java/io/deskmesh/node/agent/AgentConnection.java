package io.deskmesh.node.agent;

import java.io.Closeable;
import java.io.IOException;

/** One open line channel to a VM's desktop agent. One reader thread and any number of senders. */
public interface AgentConnection extends Closeable {
    /** The next line the agent sent, without its newline; null once the channel has closed. Blocks. */
    String readLine() throws IOException;

    /** Sends one line to the agent. */
    void send(String line) throws IOException;
}
