package io.deskmesh.node.api;

import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the public API needs from its node: the current image, the write path, the grid's secret
 * (from which token-signing keys are derived), this node's name, a clock and the Raft group's
 * membership. Immutable.
 *
 * @param self       this server's name
 * @param image      the node's current image (read-your-writes: after a submit completes, it has the outcome)
 * @param submit     submits commands as one log entry; replies in order
 * @param gridSecret the grid's join token: every member knows it, so every member can verify API tokens
 * @param clock      wall-clock milliseconds
 * @param prepare    asks the server hosting a VM to make it ready for a session (see {@link VmPreparer})
 * @param raft       the Raft group's membership, as far as the API shows and changes it (see {@link RaftPeers})
 */
public record ApiContext(String self, Supplier<ClusterImage> image,
                         java.util.function.Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit,
                         String gridSecret, LongSupplier clock, VmPreparer prepare, RaftPeers raft) {

    /** A context without Raft membership access ({@link RaftPeers#NONE}). */
    public ApiContext(String self, Supplier<ClusterImage> image,
                      java.util.function.Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit,
                      String gridSecret, LongSupplier clock, VmPreparer prepare) {
        this(self, image, submit, gridSecret, clock, prepare, RaftPeers.NONE);
    }

    public ApiContext {
        raft = raft == null ? RaftPeers.NONE : raft;
    }

    /** Has the server hosting a VM make it ready (started, console reachable) for a session within a deadline. */
    public interface VmPreparer {
        /**
         * Asks the host directly (a reconnect: the session exists already). Completes normally when ready;
         * exceptionally when the host refused or did not answer in time.
         */
        CompletableFuture<Void> prepare(String server, String vmId, long deadlineMs);

        /**
         * Waits for the host's answer to a fresh reservation, which the host acts on as it applies it from
         * the log: completes once the host made the VM ready and recorded the session connected;
         * exceptionally when the host ended the session instead or did not answer in time.
         */
        CompletableFuture<Void> awaitConnected(String sessionId, String server, String vmId, long deadlineMs);
    }

    /** The Raft group's peers as the server list shows them, and removing one. Thread-safe. */
    public interface RaftPeers {
        /** Knows no peers and removes nothing. */
        RaftPeers NONE = new RaftPeers() {
            @Override
            public String role(String server) {
                return "unknown";
            }

            @Override
            public boolean remove(String server) {
                return false;
            }
        };

        /** {@code leader}, {@code voter}, {@code listener}, {@code none} (not in the group) or {@code unknown}. */
        String role(String server);

        /** Removes the server's Raft peer if the group has one and says whether it had; blocks while the group changes. */
        boolean remove(String server) throws IOException;
    }
}
