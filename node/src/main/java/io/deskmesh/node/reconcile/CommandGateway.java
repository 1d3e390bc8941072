package io.deskmesh.node.reconcile;

import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;

import java.util.concurrent.CompletableFuture;

/**
 * Where a node sends commands: to the Raft log in production, to a simulated log in tests. A
 * returned future completes once this node's own image contains the command's outcome
 * (read-your-writes). Implementations are thread-safe.
 */
public interface CommandGateway {
    CompletableFuture<Reply> submit(MeshCommand command);
}
