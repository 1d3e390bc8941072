package io.deskmesh.testkit.sim;

import io.deskmesh.model.command.MeshCommand;

import java.util.List;

/**
 * One entry of a simulated Raft log: the commands a leader batched, with the index and log time it
 * stamped. Immutable.
 */
public record LogEntry(long index, long at, List<MeshCommand> commands) {
    public LogEntry {
        commands = List.copyOf(commands);
    }
}
